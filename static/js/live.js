// Live notifications: one WebSocket per open page for logged-in members.
// Updates the unread badge in the header and shows a small toast; reconnects with back-off.
(function () {
  "use strict";
  if (!document.body || !document.body.dataset.userId || !("WebSocket" in window)) return;

  // The toast styles live next to this script (static/css/live.css); a <link> added from here keeps
  // base.html untouched and is allowed by the CSP (style-src 'self').
  var script = document.currentScript;
  if (script && script.src && !document.querySelector("link[data-live-css]")) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = script.src.replace(/\/js\/[^/]*$/, "/css/live.css");
    link.setAttribute("data-live-css", "");
    document.head.appendChild(link);
  }

  var delay = 1000;
  var maxDelay = 30000;
  var region = null;

  function badges() {
    return document.querySelectorAll("[data-unread-badge]");
  }

  function setUnread(count) {
    badges().forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    });
    document.querySelectorAll("[data-unread-label]").forEach(function (label) { label.hidden = !count; });
    // "(3) Title" like the apps people know, so a background tab shows there is something new.
    var bare = document.title.replace(/^\(\d+\) /, "");
    document.title = count ? "(" + count + ") " + bare : bare;
  }

  function toastRegion() {
    if (!region) {
      region = document.createElement("div");
      region.className = "live-toasts";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function toast(title, url) {
    var item = document.createElement(url ? "a" : "div");
    item.className = "live-toast";
    if (url) item.href = url;
    item.textContent = title; // text only: never HTML from the wire
    toastRegion().appendChild(item);
    window.setTimeout(function () {
      item.classList.add("live-toast-out");
      window.setTimeout(function () { item.remove(); }, 400);
    }, 6000);
  }

  function safeUrl(url) {
    // Only site paths ("/adoption/...") become links.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "";
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type !== "notification") return;
      if (typeof data.unread === "number") setUnread(data.unread);
      if (data.title) toast(data.title, safeUrl(data.url));
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return; // logged out: do not retry
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxDelay);
    };
  }

  connect();
})();
