// The consultation chat: a WebSocket client for the protocol in docs/chat-protocol.md.
// Config and every UI string come from data- attributes on #chat (strict CSP: no inline script).
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var d = root.dataset;
  var me = Number(d.userId);
  var peerId = Number(d.peerId || 0);
  var maxBody = Number(d.maxBody || 4000);
  var log = root.querySelector("[data-log]");
  var banner = root.querySelector("[data-banner]");
  var connection = root.querySelector("[data-connection]");
  var typingLine = root.querySelector("[data-typing]");
  var compose = root.querySelector("[data-compose]");
  var input = compose ? compose.querySelector("textarea") : null;
  var photoForm = root.querySelector("[data-photo-form]");
  var presenceDot = root.querySelector("[data-presence-dot]");
  var presenceLabel = root.querySelector("[data-presence-label]");
  var empty = root.querySelector("[data-empty]");

  var FINAL_CODES = { 4401: "login", 4403: "forbidden", 4409: "closed" };
  var lastId = Number(d.lastId || 0); // newest message id this page holds
  // Sync cursor: every message up to `seqHeld` (the consultation's gapless sequence number, in commit
  // order) is on the page. A seq is never taken by a later commit, so `sync after_seq` from here returns
  // exactly what is missing — including a live relay the channel layer dropped (a gap above seqHeld).
  var seqHeld = Number(d.lastSeq || 0);
  var seqsAbove = {}; // seqs held above a gap
  var peerRead = Number(d.peerRead || 0); // the other side has read up to here
  var readSent = 0;
  var pending = {}; // client_id -> {frame, el}; resent (same client_id) after a reconnect
  var pendingOrder = [];
  var socket = null;
  var attempts = 0;
  var retryTimer = null;
  var finished = false;
  var typingSentAt = 0;
  var typingStopTimer = null;
  var peerTypingTimer = null;
  var readTimer = null;
  var aliveTimer = null; // set while a liveness `sync` waits for its `synced`
  var connectedOnce = false;
  var ALIVE_DEADLINE_MS = 10000;

  function t(key) {
    return d["t" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function showBanner(text, kind, withReload) {
    banner.textContent = text;
    banner.className = "chat-banner" + (kind ? " chat-banner-" + kind : "");
    if (withReload) {
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = t("reload");
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(link);
    }
    banner.hidden = !text;
  }

  // The connection line (role=status, aria-live=polite): empty while connected, "reconnecting" while
  // the socket is down, "offline" while the browser has no network at all. Separate from the banner,
  // which tells about the consultation and errors.
  function showConnection(state) {
    if (!connection) return;
    var text = state === "offline" ? t("offlineBanner") : state === "reconnecting" ? t("reconnecting")
      : state === "connecting" ? t("connecting") : state === "back" ? t("back") : "";
    connection.dataset.state = state || "";
    connection.className = "chat-connection" + (state ? " chat-connection-" + state : "");
    connection.textContent = text;
    connection.hidden = !text;
    if (state === "back") {
      setTimeout(function () { if (connection.dataset.state === "back") showConnection(""); }, backNoticeMs());
    }
  }

  // How long "connected again" stays up, and how long a sent message may wait for its acknowledgement
  // before it is marked "not sent": data attributes only so that the browser tests need not wait them out.
  function backNoticeMs() {
    return Number(d.backNotice) || 3000;
  }

  function sendTimeoutMs() {
    return Number(d.sendTimeout) || 10000;
  }

  function formatTime(iso) {
    // The viewer's zone, in the page language's format like the server-rendered history
    // (hellopet.timefmt): "13.20" in Indonesian, "1:20 pm" in English.
    try {
      var parts = new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: d.tz || undefined,
      }).formatToParts(new Date(iso));
      var get = function (type) {
        var part = parts.filter(function (p) { return p.type === type; })[0];
        return part ? part.value : "";
      };
      if ((d.lang || "").indexOf("en") === 0) {
        var hour = parseInt(get("hour"), 10);
        return (hour % 12 || 12) + ":" + get("minute") + " " + (hour < 12 ? "am" : "pm");
      }
      return get("hour") + "." + get("minute");
    } catch (e) {
      return "";
    }
  }

  function refreshPanel() {
    // The consultation's state changed: take the new panel and status from the server-rendered page.
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        [".room-panel", ".chat-head .status"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) now.replaceWith(document.importNode(next, true));
        });
      })
      .catch(function () {});
  }

  // --- rendering ----------------------------------------------------------------------------------
  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function buildItem(ev) {
    var mine = ev.sender && ev.sender.id === me;
    var li = document.createElement("li");
    li.className = "msg " + (mine ? "msg-mine" : "msg-theirs");
    li.dataset.clientId = ev.client_id;
    if (ev.sender) li.dataset.senderId = ev.sender.id;
    if (!mine && ev.sender) {
      var author = document.createElement("span");
      author.className = "msg-author";
      author.textContent = ev.sender.name;
      li.appendChild(author);
    }
    if (ev.attachment) {
      var a = document.createElement("a");
      a.className = "msg-photo-link";
      a.href = ev.attachment.url;
      a.target = "_blank";
      a.rel = "noopener";
      var img = document.createElement("img");
      img.className = "msg-photo";
      img.src = ev.attachment.url;
      img.alt = t("photo");
      if (ev.attachment.width) {
        img.width = ev.attachment.width;
        img.height = ev.attachment.height;
      }
      a.appendChild(img);
      li.appendChild(a);
    } else if (ev.localPhoto) {
      var p = document.createElement("p");
      p.className = "msg-body muted";
      p.textContent = t("photo") + " · " + ev.localPhoto;
      li.appendChild(p);
    }
    if (ev.body) {
      var body = document.createElement("p");
      body.className = "msg-body";
      body.textContent = ev.body;
      li.appendChild(body);
    }
    var meta = document.createElement("span");
    meta.className = "msg-meta";
    var time = document.createElement("time");
    if (ev.created_at) {
      time.dateTime = ev.created_at;
      time.textContent = formatTime(ev.created_at);
    }
    var state = document.createElement("span");
    state.className = "msg-state";
    meta.appendChild(time);
    meta.appendChild(state);
    li.appendChild(meta);
    if (ev.id) li.dataset.id = ev.id;
    return li;
  }

  function insertById(li, id) {
    // Usually the newest: walk back from the end past unacknowledged (id-less) and newer items.
    var node = log.lastElementChild;
    while (node && (!node.dataset.id || Number(node.dataset.id) > id)) node = node.previousElementSibling;
    if (node) node.after(li);
    else log.prepend(li);
  }

  function setState(li, state) {
    li.dataset.state = state;
    var label = li.querySelector(".msg-state");
    if (!label) return;
    if (state === "failed") {
      // One tap resends it, with the same client_id (the server stores it at most once).
      label.textContent = "";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "msg-retry linklike";
      retry.textContent = t("failed");
      label.appendChild(retry);
      return;
    }
    label.textContent = state === "read" ? t("read") : state === "sent" ? t("sent") : state === "sending" ? t("sending") : "";
  }

  function refreshReceipts() {
    var mine = log.querySelectorAll(".msg-mine[data-id]");
    for (var i = 0; i < mine.length; i++) {
      setState(mine[i], Number(mine[i].dataset.id) <= peerRead ? "read" : "sent");
    }
  }

  function onMessage(ev) {
    var stick = nearBottom() || (ev.sender && ev.sender.id === me);
    var existing = log.querySelector('[data-id="' + ev.id + '"]');
    var waiting = pending[ev.client_id];
    if (waiting && ev.sender && ev.sender.id === me) {
      clearTimeout(waiting.timer);
      delete pending[ev.client_id];
      pendingOrder = pendingOrder.filter(function (c) { return c !== ev.client_id; });
      if (waiting.el.parentNode) waiting.el.remove();
    }
    if (existing) return; // dedupe by id: live relay, sync and HTTP upload may all deliver it
    var li = buildItem(ev);
    insertById(li, ev.id);
    if (empty) empty.hidden = true;
    if (ev.id > lastId) lastId = ev.id;
    holdSeq(ev.seq);
    refreshReceipts();
    if (stick) scrollDown();
    if (ev.sender && ev.sender.id !== me) {
      hidePeerTyping();
      // Debounced: a sync delivering hundreds of messages must not send a read frame for each.
      clearTimeout(readTimer);
      readTimer = setTimeout(sendRead, 300);
    }
  }

  function addPending(frame, photoName) {
    var li = buildItem({ client_id: frame.client_id, sender: { id: me }, body: frame.body, localPhoto: photoName });
    li.classList.add("msg-pending");
    log.appendChild(li);
    setState(li, "sending");
    if (empty) empty.hidden = true;
    scrollDown();
    return li;
  }

  // `reason`: "timeout" (no acknowledgement in time: most likely the network; resent by itself on
  // reconnect) or "refused" (the server said no: only the person's tap sends it again).
  function markFailed(clientId, reason) {
    var waiting = pending[clientId];
    if (!waiting) return;
    clearTimeout(waiting.timer);
    setState(waiting.el, "failed");
    waiting.failed = true;
    waiting.reason = reason || "refused";
  }

  // Sends (or queues, while the socket is down) a pending message and starts its acknowledgement timer.
  function sendPending(clientId) {
    var waiting = pending[clientId];
    if (!waiting || !waiting.frame) return;
    waiting.failed = false;
    waiting.reason = "";
    setState(waiting.el, "sending");
    clearTimeout(waiting.timer);
    waiting.timer = setTimeout(function () { markFailed(clientId, "timeout"); }, sendTimeoutMs());
    send(waiting.frame);
  }

  function holdSeq(seq) {
    if (!seq || seq <= seqHeld) return;
    seqsAbove[seq] = true;
    while (seqsAbove[seqHeld + 1]) {
      delete seqsAbove[seqHeld + 1];
      seqHeld += 1;
    }
  }

  function sync() {
    return send({ type: "sync", after_seq: seqHeld });
  }

  // `busy`: the server is at capacity and stored nothing; resend the same frame (same client_id, so it
  // is stored at most once) after its hint, doubling with jitter, up to 30 s between tries.
  function resendLater(clientId, hintMs) {
    var waiting = pending[clientId];
    if (!waiting || !waiting.frame) return;
    waiting.busyTries = (waiting.busyTries || 0) + 1;
    var ceiling = Math.min(30000, Math.max(100, hintMs || 500) * Math.pow(2, waiting.busyTries - 1));
    setTimeout(function () {
      if (pending[clientId] && !pending[clientId].failed) send(pending[clientId].frame);
    }, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  // --- socket ---------------------------------------------------------------------------------------
  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(data));
      return true;
    }
    return false;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (finished) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + d.wsPath);
    var current = socket;
    current.onopen = function () {
      // Catch up on everything stored after what this page holds, then resend what was not acknowledged
      // (same client_id: the server stores it at most once) — also what timed out while we were away.
      sync();
      pendingOrder.forEach(function (clientId) {
        var waiting = pending[clientId];
        if (waiting && waiting.frame && (!waiting.failed || waiting.reason === "timeout")) sendPending(clientId);
      });
    };
    current.onmessage = function (msg) {
      var ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      handle(ev);
    };
    current.onclose = function (close) {
      if (current !== socket) return;
      lost(FINAL_CODES[close.code]);
    };
  }

  // The socket is gone (closed, or given up on: no answer to a liveness sync, or the browser went
  // offline). The other side's state is unknown from here on: shown offline until the server says.
  function lost(finalReason) {
    var dead = socket;
    socket = null;
    clearTimeout(aliveTimer);
    aliveTimer = null;
    if (dead) {
      dead.onclose = null;
      dead.onmessage = null;
      try { dead.close(); } catch (e) { /* already closed */ }
    }
    hidePeerTyping();
    setPresence(false);
    if (finished) return;
    if (finalReason) return finish(finalReason);
    showConnection(navigator.onLine === false ? "offline" : "reconnecting");
    clearTimeout(retryTimer);
    if (navigator.onLine !== false) scheduleReconnect(); // offline: the "online" event reconnects
  }

  // A connection that died without a close (a phone leaving Wi-Fi, a NAT dropping it) is only noticed
  // by asking: a `sync` unanswered within ALIVE_DEADLINE_MS gives the socket up and reconnects.
  function checkAlive() {
    if (!socket || socket.readyState !== WebSocket.OPEN || aliveTimer) return;
    if (!sync()) return;
    aliveTimer = setTimeout(function () {
      aliveTimer = null;
      lost();
    }, ALIVE_DEADLINE_MS);
  }

  function scheduleReconnect() {
    // Exponential back-off with jitter (0.5x-1x of 1 s, 2 s, 4 s ... capped at 30 s), so that a
    // restarted server is not hit by every client at the same instant.
    var ceiling = Math.min(30000, 1000 * Math.pow(2, attempts));
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempts += 1;
    retryTimer = setTimeout(connect, delay);
  }

  function finish(reason) {
    finished = true;
    clearTimeout(retryTimer);
    clearTimeout(aliveTimer);
    showConnection("");
    if (compose) compose.hidden = true;
    if (photoForm) photoForm.hidden = true;
    if (reason === "login") showBanner(t("login"), "error", true);
    else if (reason === "forbidden") showBanner(t("forbidden"), "error");
    else if (reason === "ended") showBanner(t("ended"), "info");
    else showBanner(t("closed"), "info");
    Object.keys(pending).forEach(function (clientId) { markFailed(clientId, "refused"); });
    // The panel (summary, rating) is fetched again: nothing to reload by hand.
    refreshPanel();
  }

  function handle(ev) {
    switch (ev.type) {
      case "message":
        onMessage(ev);
        break;
      case "synced":
        attempts = 0;
        clearTimeout(aliveTimer);
        aliveTimer = null;
        if (!finished && connection && connection.dataset.state && connection.dataset.state !== "back") {
          showConnection(connectedOnce ? "back" : "");
        }
        connectedOnce = true;
        if (!finished && /chat-banner-(error|warn)/.test(banner.className)) showBanner("");
        if (ev.last_id > lastId) lastId = ev.last_id;
        if (ev.last_seq > seqHeld) {  // the server sent everything up to last_seq before this
          seqHeld = ev.last_seq;
          Object.keys(seqsAbove).forEach(function (s) { if (Number(s) <= seqHeld) delete seqsAbove[s]; });
          while (seqsAbove[seqHeld + 1]) {
            delete seqsAbove[seqHeld + 1];
            seqHeld += 1;
          }
        }
        sendRead();
        break;
      case "typing":
        if (ev.user_id === peerId) ev.is_typing ? showPeerTyping() : hidePeerTyping();
        break;
      case "read":
        if (ev.user_id === peerId && ev.up_to > peerRead) {
          peerRead = ev.up_to;
          refreshReceipts();
        }
        break;
      case "presence":
        if (ev.user_id === peerId) setPresence(ev.online);
        break;
      case "error":
        onError(ev);
        break;
      default:
        if (ev.type && ev.type.indexOf("consultation.") === 0) onConsultation(ev);
    }
  }

  function onError(ev) {
    if (ev.code === "busy" && ev.client_id) return resendLater(ev.client_id, ev.retry_after_ms);
    if (ev.client_id) markFailed(ev.client_id, "refused");
    var text = { too_long: t("tooLong"), rate_limited: t("rateLimited"), chat_closed: t("closed") }[ev.code];
    showBanner(text || t("error"), "error");
  }

  function onConsultation(ev) {
    // The page follows the consultation by itself: the panel and status are fetched again (the
    // summary too), never a "reload the page" prompt.
    if (ev.status === "waiting" || ev.status === "active") {
      refreshPanel();
      if (ev.type === "consultation.accepted") showBanner(t("accepted"), "info");
      else if (ev.type !== "consultation.summary") showBanner(t("changed"), "info");
      return;
    }
    finish(ev.type === "consultation.ended" ? "ended" : "closed");
  }

  function setPresence(online) {
    if (!presenceDot) return;
    presenceDot.classList.toggle("online", !!online);
    presenceLabel.textContent = online ? t("online") : t("offline");
  }

  function showPeerTyping() {
    typingLine.textContent = t("typing");
    typingLine.hidden = false;
    clearTimeout(peerTypingTimer);
    peerTypingTimer = setTimeout(hidePeerTyping, 5000); // a lost "stopped typing" must not stick
  }

  function hidePeerTyping() {
    clearTimeout(peerTypingTimer);
    if (typingLine) typingLine.hidden = true;
  }

  function sendRead() {
    if (document.visibilityState !== "visible" || lastId <= readSent) return;
    var items = log.querySelectorAll(".msg-theirs[data-id]");
    var newest = items.length ? Number(items[items.length - 1].dataset.id) : 0;
    if (newest <= readSent) return;
    if (send({ type: "read", up_to: lastId })) readSent = lastId;
  }

  // --- composing ------------------------------------------------------------------------------------
  function submitText(event) {
    event.preventDefault();
    var body = input.value;
    if (!body.trim()) return;
    if (body.length > maxBody) return showBanner(t("tooLong"), "error");
    var frame = { type: "message.send", client_id: uuid4(), body: body };
    pending[frame.client_id] = { frame: frame, el: addPending(frame) };
    pendingOrder.push(frame.client_id);
    sendPending(frame.client_id);
    input.value = "";
    stopTyping();
    input.focus();
  }

  function onTypingInput() {
    var now = Date.now();
    if (now - typingSentAt > 2500) {
      typingSentAt = now;
      send({ type: "typing", is_typing: true });
    }
    clearTimeout(typingStopTimer);
    typingStopTimer = setTimeout(stopTyping, 3000);
  }

  function stopTyping() {
    clearTimeout(typingStopTimer);
    if (typingSentAt) send({ type: "typing", is_typing: false });
    typingSentAt = 0;
  }

  function retryFailed(event) {
    if (!event.target.closest(".msg-retry")) return;
    var li = event.target.closest(".msg-pending");
    if (!li || li.dataset.state !== "failed" || finished) return;
    var waiting = pending[li.dataset.clientId];
    if (!waiting || !waiting.frame) return;
    sendPending(li.dataset.clientId); // same frame, same client_id
    if (!socket && navigator.onLine !== false) {
      attempts = 0;
      connect();
    }
  }

  function uploadPhoto() {
    var fileInput = photoForm.querySelector("[data-photo-input]");
    if (!fileInput.files.length) return;
    var data = new FormData(photoForm);
    var clientId = uuid4();
    data.set("client_id", clientId);
    var el = addPending({ client_id: clientId, body: "" }, fileInput.files[0].name);
    pending[clientId] = { frame: null, el: el };
    pendingOrder.push(clientId);
    fileInput.value = "";
    var token = photoForm.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(photoForm.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    })
      .then(function (response) {
        return response.json().then(function (ev) { return { ok: response.ok, ev: ev }; });
      })
      .then(function (result) {
        if (result.ok) return onMessage(result.ev);
        markFailed(clientId);
        showBanner(result.ev.detail || t("uploadFailed"), "error");
      })
      .catch(function () {
        markFailed(clientId);
        showBanner(t("uploadFailed"), "error");
      });
  }

  // --- start ----------------------------------------------------------------------------------------
  refreshReceipts();
  scrollDown();
  // live.js relays notifications about this consultation (also after the chat closed: the summary).
  document.addEventListener("hellopet:notification", function (event) {
    var detail = event.detail || {};
    if (detail.url === window.location.pathname && detail.kind && detail.kind.indexOf("consultations.") === 0 && detail.kind !== "consultations.chat_message") {
      refreshPanel();
    }
  });
  if (d.open !== "1") return;
  if (compose) {
    compose.hidden = false;
    compose.addEventListener("submit", submitText);
    input.addEventListener("input", onTypingInput);
    input.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line (on phones the keyboard's return key adds a line).
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && window.matchMedia("(pointer: fine)").matches) {
        event.preventDefault();
        compose.requestSubmit();
      }
    });
  }
  if (photoForm) {
    photoForm.querySelector("[data-photo-submit]").hidden = true;
    photoForm.querySelector("[data-photo-input]").addEventListener("change", uploadPhoto);
    photoForm.addEventListener("submit", function (event) { event.preventDefault(); uploadPhoto(); });
  }
  log.addEventListener("click", retryFailed);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    if (!socket && !finished) {
      attempts = 0;
      connect();
    } else {
      checkAlive(); // a phone waking up may have missed relays, or lost its connection
    }
    sendRead();
  });
  // The relay is best-effort (the channel layer may drop under load); a periodic sync while the page
  // is visible heals a gap without waiting for a reconnect, and proves the socket alive (checkAlive).
  // One cheap indexed query a minute.
  setInterval(function () {
    if (document.visibilityState === "visible" && !finished) checkAlive();
  }, 60000);
  window.addEventListener("online", function () {
    if (finished) return;
    if (!socket) {
      showConnection("reconnecting");
      clearTimeout(retryTimer);
      attempts = 0;
      connect();
    } else {
      checkAlive();
    }
  });
  window.addEventListener("offline", function () {
    // No network at all: say so at once (a socket may take a minute to notice) and queue what is sent.
    if (!finished) lost();
  });
  showConnection("connecting");
  connect();
})();
