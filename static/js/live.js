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
  // Kinds that mean "somebody is waiting for you now": the tab title flashes and, unless switched off
  // in the profile (body[data-request-sound]), a short chime plays.
  var ALERT_KINDS = ["consultations.waiting"];
  var unread = null; // null: the count the page was rendered with is still in the title
  var bareTitle = document.title.replace(/^\(\d+\) /, "");
  var flash = null; // {text, timer, until}

  function badges() {
    return document.querySelectorAll("[data-unread-badge]");
  }

  function setUnread(count) {
    badges().forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    });
    document.querySelectorAll("[data-unread-label]").forEach(function (label) { label.hidden = !count; });
    unread = count;
    renderTitle();
  }

  function renderTitle() {
    // "(3) Title" like the apps people know, so a background tab shows there is something new.
    if (flash && flash.on) {
      document.title = flash.text;
      return;
    }
    var count = unread;
    if (count === null) {
      var match = document.title.match(/^\((\d+)\) /);
      count = match ? Number(match[1]) : 0;
    }
    document.title = count ? "(" + count + ") " + bareTitle : bareTitle;
  }

  // --- new request alert: the tab title flashes until the person comes back to the page ------------
  function stopFlash() {
    if (!flash) return;
    window.clearInterval(flash.timer);
    flash = null;
    renderTitle();
  }

  function startFlash(text) {
    stopFlash();
    flash = { text: "\u25CF " + text, on: true, until: Date.now() + 30000 };
    flash.timer = window.setInterval(function () {
      // A visible page stops after 30 s by itself; a background tab flashes until it is looked at.
      if (document.visibilityState === "visible" && Date.now() > flash.until) return stopFlash();
      flash.on = !flash.on;
      renderTitle();
    }, 1000);
    renderTitle();
  }

  function chime() {
    var url = document.body.dataset.requestSound;
    if (!url) return; // switched off in the profile (or not a vet)
    try {
      var audio = new Audio(url);
      audio.volume = 0.6;
      var played = audio.play();
      if (played && played.catch) played.catch(function () {}); // autoplay refused before any click
    } catch (e) { /* no audio device */ }
  }

  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, stopFlash); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && flash) flash.until = Math.min(flash.until, Date.now() + 5000);
  });

  // --- live fragments: parts of a page that follow events (e.g. the vet's queue) -------------------
  // <section id="x" data-live-kinds="consultations.waiting consultations.cancelled"> is fetched again
  // from this page's URL and replaced when a notification of one of those kinds arrives.
  function refreshFragments(kind) {
    var targets = Array.prototype.filter.call(document.querySelectorAll("[data-live-kinds][id]"), function (el) {
      return el.getAttribute("data-live-kinds").split(/\s+/).indexOf(kind) !== -1;
    });
    if (!targets.length) return;
    fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        targets.forEach(function (el) {
          var next = fresh.getElementById(el.id);
          if (next) el.replaceWith(document.importNode(next, true));
        });
      })
      .catch(function () {});
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
      if (data.kind) {
        refreshFragments(data.kind);
        if (ALERT_KINDS.indexOf(data.kind) !== -1) {
          startFlash(data.title || "HELLOPET!");
          chime();
        }
        // Other scripts of the page (the chat room) may follow notifications too.
        document.dispatchEvent(new CustomEvent("hellopet:notification", {
          detail: { kind: data.kind, url: safeUrl(data.url), id: data.id },
        }));
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return; // logged out: do not retry
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxDelay);
    };
  }

  connect();
})();
