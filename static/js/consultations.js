// Consultations pages: no inline scripts (strict CSP), so each page's behaviour is found by its markup.
(function () {
  "use strict";

  // Vet dashboard: tell the server the vet is still here, so "online" does not go stale.
  var box = document.getElementById("vet-availability");
  if (box) {
    var url = box.getAttribute("data-heartbeat-url");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var beat = function () {
      if (document.visibilityState !== "visible") return;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      }).catch(function () {});
    };
    setInterval(beat, 4 * 60 * 1000);
    document.addEventListener("visibilitychange", beat);
  }

  // Directory: refresh the online / busy / offline badges every minute while the page is visible.
  var list = document.querySelector("[data-availability-url]");
  if (list) {
    var badges = list.querySelectorAll("[data-vet-id]");
    var ids = Array.prototype.map.call(badges, function (b) { return b.getAttribute("data-vet-id"); });
    var refresh = function () {
      if (document.visibilityState !== "visible" || !ids.length) return;
      fetch(list.getAttribute("data-availability-url") + "?ids=" + ids.join(","), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (states) {
          Array.prototype.forEach.call(badges, function (badge) {
            var state = states[badge.getAttribute("data-vet-id")];
            if (!state || state === badge.getAttribute("data-availability")) return;
            badge.setAttribute("data-availability", state);
            badge.className = "avail avail-" + state;
            badge.textContent = list.getAttribute("data-label-" + state) || state;
          });
        })
        .catch(function () {});
    };
    setInterval(refresh, 60 * 1000);
    document.addEventListener("visibilitychange", refresh);
  }
})();
