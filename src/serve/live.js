// stepbook serve: live reload and the error overlay. Served only by `stepbook serve`.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me ? me.getAttribute("data-build") : "";
  var KEY = "stepbook-live-scroll:" + location.pathname;

  function restoreScroll() {
    var y = null;
    try { y = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { return; }
    if (y === null) return;
    var to = Number(y);
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    var go = function () { window.scrollTo({ top: to, left: 0, behavior: "instant" }); };
    // Scripts that run after this one (steps, branches) change the layout: restore again
    // once the page has loaded and settled.
    var settle = function () { go(); requestAnimationFrame(function () { requestAnimationFrame(go); }); };
    go();
    if (document.readyState === "complete") settle(); else window.addEventListener("load", settle);
  }

  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) { /* private mode */ }
    location.reload();
  }

  function swapCss(path) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var old = links[i];
      var url = new URL(old.href, location.href);
      if (url.pathname !== "/" + path && !url.pathname.endsWith("/" + path)) continue;
      url.searchParams.set("v", String(Date.now()));
      var next = old.cloneNode();
      next.href = url.href;
      next.addEventListener("load", function () { this.previous.remove(); });
      next.previous = old;
      old.after(next);
    }
  }

  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(list) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "stepbook-problems";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.94);color:#f5f5f5;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow:auto;padding:2rem";
    var title = document.createElement("h2");
    title.textContent = "The site has " + list.length + (list.length === 1 ? " error" : " errors") +
      " — fix the file and save; this page updates by itself.";
    title.style.cssText = "font:600 16px/1.4 system-ui,sans-serif;margin:0 0 1rem;color:#ffb4b4";
    overlay.appendChild(title);
    list.forEach(function (d) {
      var item = document.createElement("pre");
      item.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:1rem;background:#000;border-left:4px solid #ff6b6b";
      var where = d.file ? d.file + (d.line ? ":" + d.line + ":" + d.col : "") + "\n" : "";
      item.textContent = where + d.message + (d.hint ? "\nhint: " + d.hint : "");
      overlay.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(overlay);
  }

  function handle(type, data) {
    if (type === "hello") {
      document.documentElement.setAttribute("data-stepbook-live", "connected");
      if (build && data !== build) reload();
    }
    else if (type === "reload") reload();
    else if (type === "css") swapCss(data);
    else if (type === "problems") { try { show(JSON.parse(data)); } catch (err) { /* malformed */ } }
    else if (type === "fixed") hide();
  }

  restoreScroll();
  // One event stream for all tabs: browsers allow only six connections to a host, and
  // each open stream holds one, so tabs share a worker that holds the only stream.
  if (window.SharedWorker) {
    try {
      var worker = new SharedWorker("/__stepbook/live-worker.js");
      worker.port.onmessage = function (e) { handle(e.data.type, e.data.data); };
      worker.port.start();
      return;
    } catch (e) { /* fall back to a stream of our own */ }
  }
  if (!window.EventSource) return;
  var source = new EventSource("/__stepbook/events");
  ["hello", "reload", "css", "problems", "fixed"].forEach(function (type) {
    source.addEventListener(type, function (e) { handle(type, e.data); });
  });
})();
