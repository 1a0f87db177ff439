/* Payments: open Midtrans Snap on the pay page; refresh the finish page while the payment is pending.
   Snap's callbacks only navigate to the finish page: the status shown there comes from the server,
   which asks Midtrans itself. Nothing here is trusted. */
(function () {
  "use strict";

  function openSnap(button) {
    var finishUrl = button.getAttribute("data-finish-url");
    if (!window.snap || typeof window.snap.pay !== "function") {
      return false;
    }
    var done = function () { window.location.assign(finishUrl); };
    window.snap.pay(button.getAttribute("data-snap-token"), {
      onSuccess: done,
      onPending: done,
      onError: done,
      onClose: function () { button.disabled = false; }
    });
    button.disabled = true;
    return true;
  }

  function setUpPayButton() {
    var button = document.querySelector("[data-snap-token]");
    if (!button) { return; }
    button.addEventListener("click", function () {
      if (!openSnap(button)) {
        // Snap.js did not load (blocked or offline): use the hosted payment page instead.
        var alt = document.querySelector(".pay-alt a");
        if (alt) { window.location.assign(alt.href); }
      }
    });
    if (button.hasAttribute("data-snap-autoopen")) {
      var tries = 0;
      var timer = window.setInterval(function () {
        tries += 1;
        if (openSnap(button) || tries > 50) { window.clearInterval(timer); }
      }, 100);
    }
  }

  function setUpPendingRefresh() {
    if (!document.querySelector("[data-pay-pending]")) { return; }
    var key = "hp-pay-refresh:" + window.location.pathname;
    var count = parseInt(window.sessionStorage.getItem(key) || "0", 10);
    if (count >= 24) { return; } // about two minutes; the payer can reload by hand after that
    window.setTimeout(function () {
      window.sessionStorage.setItem(key, String(count + 1));
      window.location.reload();
    }, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPayButton();
    setUpPendingRefresh();
  });
}());
