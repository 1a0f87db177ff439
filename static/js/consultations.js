// Vet dashboard: tell the server the vet is still here, so "online" does not go stale.
(function () {
  "use strict";
  var box = document.getElementById("vet-availability");
  if (!box) return;
  var url = box.getAttribute("data-heartbeat-url");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function beat() {
    if (document.visibilityState !== "visible") return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).catch(function () {});
  }
  setInterval(beat, 4 * 60 * 1000);
  document.addEventListener("visibilitychange", beat);
})();
