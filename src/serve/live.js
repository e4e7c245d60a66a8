// stepbook serve: live updates and the error overlay. Served only by `stepbook serve`.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me ? me.getAttribute("data-build") : "";
  var KEY = "stepbook-live-scroll:" + location.pathname;
  var LIVE = "/__stepbook/";

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

  /* ---------- Updating the page in place ---------- */

  // The page as the server sent it, before the theme's scripts changed it: what its head
  // loads, and each element of its body as HTML. A new version of the page is compared with
  // this, so only the elements that really changed are replaced. (This script is the last
  // thing in the body and runs before the deferred theme scripts.)
  function isOwn(node) {
    return node.tagName === "SCRIPT" && (node.getAttribute("src") || "").indexOf(LIVE) === 0;
  }

  // Everything in the head but the title and the meta tags: when it differs (another
  // stylesheet or script), the page reloads. (The page's own head is read once, as served:
  // stylesheets swapped in place since then keep their served address here.)
  function headOf(doc) {
    var out = [];
    for (var n = doc.head ? doc.head.firstElementChild : null; n; n = n.nextElementSibling) {
      if (n.tagName === "TITLE" || n.tagName === "META") continue;
      out.push(n.outerHTML);
    }
    return out.join("\n");
  }

  function bodyOf(doc) {
    var parts = [];
    var scripts = [];
    var attrs = [];
    if (!doc.body) return null;
    for (var n = doc.body.firstElementChild; n; n = n.nextElementSibling) {
      if (n.tagName === "SCRIPT") { if (!isOwn(n)) scripts.push(n.outerHTML); }
      else parts.push({ el: n, html: n.outerHTML });
    }
    for (var i = 0; i < doc.body.attributes.length; i++) {
      attrs.push(doc.body.attributes[i].name + "=" + doc.body.attributes[i].value);
    }
    return { parts: parts, scripts: scripts.join("\n"), attrs: attrs.join("\n") };
  }

  var served = { head: headOf(document), body: bodyOf(document) };

  function sameAttributes(a, b) {
    if (a.attributes.length !== b.attributes.length) return false;
    for (var i = 0; i < a.attributes.length; i++) {
      if (b.getAttribute(a.attributes[i].name) !== a.attributes[i].value) return false;
    }
    return true;
  }

  function syncAttributes(from, to) {
    var i;
    for (i = to.attributes.length - 1; i >= 0; i--) {
      if (!from.hasAttribute(to.attributes[i].name)) to.removeAttribute(to.attributes[i].name);
    }
    for (i = 0; i < from.attributes.length; i++) to.setAttribute(from.attributes[i].name, from.attributes[i].value);
  }

  // The meta tags with a name (description, ...) as in `doc`.
  function syncMeta(doc) {
    var want = {};
    var metas = doc.head.querySelectorAll("meta[name]");
    for (var i = 0; i < metas.length; i++) want[metas[i].getAttribute("name")] = metas[i];
    var have = document.head.querySelectorAll("meta[name]");
    for (i = 0; i < have.length; i++) {
      var name = have[i].getAttribute("name");
      if (!want[name]) have[i].remove();
      else {
        if (have[i].getAttribute("content") !== want[name].getAttribute("content")) {
          have[i].setAttribute("content", want[name].getAttribute("content") || "");
        }
        delete want[name];
      }
    }
    for (name in want) document.head.appendChild(document.importNode(want[name], true));
  }

  // Makes the page look like `doc`, a newer version of it. False when that needs a reload:
  // other stylesheets or scripts, another layout, or a theme whose scripts cannot enhance
  // new content (window.stepbook.init is how the default theme says it can).
  function apply(doc) {
    var next = bodyOf(doc);
    var now = served.body;
    if (!next || !now || !doc.head || headOf(doc) !== served.head || next.scripts !== now.scripts) return false;
    if (next.parts.length !== now.parts.length) return false;
    var changed = [];
    for (var i = 0; i < next.parts.length; i++) {
      if (next.parts[i].el.tagName !== now.parts[i].el.tagName || !document.body.contains(now.parts[i].el)) return false;
      if (next.parts[i].html === now.parts[i].html) continue;
      // A script put into the page this way would not run.
      if (next.parts[i].el.querySelector("script")) return false;
      changed.push(i);
    }
    if (changed.length && !(window.stepbook && typeof window.stepbook.init === "function")) return false;

    var x = window.scrollX, y = window.scrollY;
    if (document.title !== doc.title) document.title = doc.title;
    syncMeta(doc);
    var lang = doc.documentElement.getAttribute("lang");
    if (lang !== null && document.documentElement.getAttribute("lang") !== lang) document.documentElement.setAttribute("lang", lang);
    if (next.attrs !== now.attrs) syncAttributes(doc.body, document.body);
    var roots = [];
    changed.forEach(function (i) {
      var old = now.parts[i].el;
      var fresh = document.importNode(next.parts[i].el, true);
      if (sameAttributes(old, fresh)) {
        // Keep the element itself (<main id="main">, what the skip link focuses).
        var kids = [];
        while (fresh.firstChild) kids.push(fresh.removeChild(fresh.firstChild));
        old.replaceChildren.apply(old, kids);
        roots.push(old);
      } else {
        old.replaceWith(fresh);
        roots.push(fresh);
      }
      now.parts[i] = { el: roots[roots.length - 1], html: next.parts[i].html };
    });
    now.attrs = next.attrs;
    roots.forEach(function (root) {
      document.dispatchEvent(new CustomEvent("stepbook:content", { detail: { root: root } }));
    });
    var keep = function () { window.scrollTo({ top: y, left: x, behavior: "instant" }); };
    keep();
    requestAnimationFrame(keep);
    return true;
  }

  // This page's path in the site, as the server names its files (`guide/a.html`).
  function here() {
    var p = location.pathname;
    try { p = decodeURIComponent(p); } catch (e) { return null; }
    p = p.replace(/^\/+/, "");
    if (p === "" || p.slice(-1) === "/") p += "index.html";
    return p;
  }

  var busy = false;
  var again = false;

  // Fetches this page again (or takes `served`, the page as the update brought it) and shows
  // what changed, or reloads it when that cannot be done.
  function update(served) {
    if (busy) { again = true; return; }
    busy = true;
    var url = location.href.split("#")[0];
    var got = typeof served === "string" ? Promise.resolve(served) : fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (!r.ok || r.redirected || type.indexOf("text/html") !== 0) throw new Error("not a page of the site");
      return r.text();
    });
    got.then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var script = doc.querySelector('script[src="' + LIVE + 'live.js"]');
      if (!apply(doc)) return reload();
      if (script) build = script.getAttribute("data-build");
      busy = false;
      if (again) { again = false; update(); }
    }).catch(function () { reload(); });
  }

  // `data`: the new build and the pages it changed (null: any page may have changed), with
  // some of them as served (`html`, by path) when they are few.
  function updated(data) {
    var info = null;
    try { info = JSON.parse(data); } catch (e) { /* malformed: fetch the page */ }
    var pages = info && info.pages;
    var path = here();
    if (Array.isArray(pages) && path !== null && pages.indexOf(path) === -1) {
      if (!busy && info.build) build = info.build;
      return;
    }
    var html = info && info.html;
    update(html && typeof html[path] === "string" ? html[path] : undefined);
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

  // Build ids are `<server run>-<build>`: a page from another run of the server (restarted,
  // maybe with another theme script) reloads; one that only missed a rebuild updates.
  function run(id) { return String(id).split("-")[0]; }

  function handle(type, data) {
    if (type === "hello") {
      document.documentElement.setAttribute("data-stepbook-live", "connected");
      if (build && data !== build) {
        if (run(data) !== run(build)) reload(); else update();
      }
    }
    else if (type === "update") updated(data);
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
      var worker = new SharedWorker(LIVE + "live-worker.js");
      worker.port.onmessage = function (e) { handle(e.data.type, e.data.data); };
      worker.port.start();
      return;
    } catch (e) { /* fall back to a stream of our own */ }
  }
  if (!window.EventSource) return;
  var source = new EventSource(LIVE + "events");
  ["hello", "update", "reload", "css", "problems", "fixed"].forEach(function (type) {
    source.addEventListener(type, function (e) { handle(type, e.data); });
  });
})();
