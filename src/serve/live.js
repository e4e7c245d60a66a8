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
    var go = function () { window.scrollTo(0, to); };
    if (document.readyState === "complete") go(); else window.addEventListener("load", go);
    requestAnimationFrame(go);
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

  restoreScroll();
  if (!window.EventSource) return;
  var source = new EventSource("/__stepbook/events");
  source.addEventListener("hello", function (e) { if (build && e.data !== build) reload(); });
  source.addEventListener("reload", reload);
  source.addEventListener("css", function (e) { swapCss(e.data); });
  source.addEventListener("problems", function (e) {
    try { show(JSON.parse(e.data)); } catch (err) { /* malformed: ignore */ }
  });
  source.addEventListener("fixed", hide);
})();
