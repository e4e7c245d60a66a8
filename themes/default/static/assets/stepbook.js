/* stepbook default theme script. Vanilla JS, no dependencies. Its one global is
   window.stepbook: init(root) enhances content put into the page later, and t(name, english,
   vars) is a text of the theme in the page's language.
   Each feature is one small init function, started from the lists at the end. */
(function () {
  'use strict';

  var root = document.documentElement;
  var THEME_KEY = 'stepbook-theme';

  // The theme's texts in the page's language (the page's `stepbook-strings` block), or the
  // English ones written here.
  var TEXTS = (function () {
    var block = document.getElementById('stepbook-strings');
    try { return block ? JSON.parse(block.textContent) : {}; } catch (e) { return {}; }
  })();
  function t(name, english, vars) {
    var s = Object.prototype.hasOwnProperty.call(TEXTS, name) ? TEXTS[name] : english;
    for (var k in vars || {}) s = s.split('{' + k + '}').join(vars[k]);
    return s;
  }

  /* ---------- Helpers ---------- */

  // localStorage may throw (file://, privacy modes, quota, disabled storage).
  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* not saved */ }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // "4", or "6.2" for step 2 of a list nested in step 6.
  function stepLabel(step) {
    var parent = step.parentNode.closest('.step');
    var n = step.getAttribute('data-step') || '';
    return parent ? stepLabel(parent) + '.' + n : n;
  }

  // The elements in `scope` that match `selector` and that this feature (`seen`) has
  // not enhanced yet, so a feature can start again for content that replaced old content.
  function fresh(scope, selector, seen) {
    var found = scope.querySelectorAll(selector);
    var out = [];
    for (var i = 0; i < found.length; i++) {
      if (!seen.has(found[i])) {
        seen.add(found[i]);
        out.push(found[i]);
      }
    }
    return out;
  }

  function connected(node) {
    return document.documentElement.contains(node);
  }

  function insertAfterAnchor(step, node) {
    var anchor = step.querySelector(':scope > .step-anchor');
    step.insertBefore(node, anchor ? anchor.nextSibling : step.firstChild);
  }

  // One polite live region per page, for confirmations screen readers should hear.
  var liveRegion;
  function announce(message) {
    if (!liveRegion) {
      liveRegion = el('div', 'sr-only');
      liveRegion.setAttribute('role', 'status');
      liveRegion.setAttribute('aria-live', 'polite');
      document.body.appendChild(liveRegion);
    }
    // Empty first, so the same message twice is announced twice.
    liveRegion.textContent = '';
    setTimeout(function () { liveRegion.textContent = message; }, 60);
  }

  var reducedMotion = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;

  function onMediaChange(query, handler) {
    if (!query) return;
    if (query.addEventListener) query.addEventListener('change', handler);
    else if (query.addListener) query.addListener(handler);
  }

  /* ---------- Theme toggle ---------- */

  var darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function isTheme(value) {
    return value === 'light' || value === 'dark';
  }

  // The theme in effect: an explicit choice on <html>, else the system's.
  function currentTheme() {
    var chosen = root.getAttribute('data-theme');
    if (isTheme(chosen)) return chosen;
    return darkQuery && darkQuery.matches ? 'dark' : 'light';
  }

  var toggleSeen = new WeakSet();
  var toggleStarted = false;

  function syncToggles() {
    var dark = currentTheme() === 'dark';
    var buttons = document.querySelectorAll('.theme-toggle');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', dark ? 'true' : 'false');
      buttons[i].title = dark ? 'Switch to light theme' : 'Switch to dark theme';
    }
  }

  function applyTheme(theme, save) {
    root.setAttribute('data-theme', theme);
    if (save) storageSet(THEME_KEY, theme);
    syncToggles();
  }

  function initThemeToggle(scope) {
    var buttons = fresh(scope, '.theme-toggle', toggleSeen);
    if (!buttons.length) return;

    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function () {
        applyTheme(currentTheme() === 'dark' ? 'light' : 'dark', true);
      });
    }

    if (!toggleStarted) {
      toggleStarted = true;
      // Follow the system while no choice is saved.
      onMediaChange(darkQuery, syncToggles);
      // Keep other open tabs of the site in step.
      window.addEventListener('storage', function (event) {
        if (event.key === THEME_KEY && isTheme(event.newValue)) applyTheme(event.newValue, false);
      });
    }

    syncToggles();
  }

  /* ---------- Scrollable code blocks and tables ---------- */

  // A <pre> or <table> wider than the column scrolls inside itself; make it
  // reachable by keyboard so it can be scrolled without a mouse (WCAG 2.1.1).
  var regionSeen = new WeakSet();
  var regions = [];
  var regionsPending = false;
  var regionsStarted = false;

  function updateRegions() {
    regionsPending = false;
    regions = regions.filter(connected);
    for (var i = 0; i < regions.length; i++) {
      var box = regions[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('data-scroll-region', '');
      } else if (!scrolls && box.hasAttribute('data-scroll-region')) {
        box.removeAttribute('tabindex');
        box.removeAttribute('data-scroll-region');
      }
    }
  }

  function initScrollRegions(scope) {
    var boxes = fresh(scope, '.prose pre, .prose table', regionSeen);
    if (!boxes.length) return;
    if (!regionsStarted) {
      regionsStarted = true;
      window.addEventListener('resize', function () {
        if (regionsPending) return;
        regionsPending = true;
        (window.requestAnimationFrame || setTimeout)(updateRegions);
      });
    }
    regions = regions.concat(boxes);
    updateRegions();
  }

  /* ---------- Revealing hidden targets ---------- */

  // Features that hide content (branch options, collapsed blocks) push a
  // function(target) here that makes `target` visible; revealTarget runs them
  // all, after opening every <details> around the target.
  var revealers = [];

  function revealTarget(target) {
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS' && !node.open) node.open = true;
    }
    for (var i = 0; i < revealers.length; i++) {
      try { revealers[i](target); } catch (e) {
        if (window.console) console.error('stepbook: revealer failed', e);
      }
    }
  }

  /* ---------- Fragment targets: reveal, scroll, highlight ---------- */

  // Old fragments of this page and the ids they lead to now (the anchor record): a link
  // to a step that was renumbered, or a heading that was renamed, still lands on it.
  function anchorMap() {
    var node = document.getElementById('stepbook-anchors');
    if (!node) return {};
    try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
  }

  function initTargets() {
    var highlighted = null;
    var moved = anchorMap();

    function go(initial) {
      var hash = location.hash.slice(1);
      var target = null;
      if (hash) {
        try { hash = decodeURIComponent(hash); } catch (e) { /* keep it raw */ }
        var now = Object.prototype.hasOwnProperty.call(moved, hash) ? moved[hash] : null;
        target = document.getElementById(now || hash);
        // The address bar shows the id of today, so a copied link stays right.
        if (now && target && history.replaceState) {
          try { history.replaceState(history.state, '', '#' + encodeURIComponent(now)); } catch (e) { /* file:// */ }
        }
      }
      if (highlighted && highlighted !== target) highlighted.classList.remove('step--highlight');
      highlighted = null;
      if (!target) return;

      revealTarget(target);
      var behavior = reducedMotion && reducedMotion.matches ? 'auto' : initial ? 'instant' : 'smooth';
      try { target.scrollIntoView({ block: 'start', behavior: behavior }); } catch (e) { target.scrollIntoView(true); }

      if (!target.classList.contains('step')) return;
      target.classList.remove('step--highlight');
      void target.offsetWidth; // restart the flash when the same step is targeted again
      target.classList.add('step--highlight');
      highlighted = target;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      try { target.focus({ preventScroll: true }); } catch (e) { /* not focusable */ }
    }

    window.addEventListener('hashchange', function () { go(false); });
    go(true);
  }

  /* ---------- Copy a step's link ---------- */

  // Fallback for pages where the async clipboard is missing or refused
  // (file://, older browsers): copy from a hidden textarea.
  function copyWithTextarea(text) {
    var active = document.activeElement;
    var area = el('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.cssText = 'position:fixed;top:0;left:0;opacity:0';
    document.body.appendChild(area);
    area.select();
    area.setSelectionRange(0, text.length); // iOS
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { /* not allowed */ }
    document.body.removeChild(area);
    if (active && active.focus) active.focus({ preventScroll: true });
    return ok;
  }

  function copyText(text, done) {
    var clip = navigator.clipboard;
    if (clip && clip.writeText) {
      clip.writeText(text).then(function () { done(true); }, function () { done(copyWithTextarea(text)); });
    } else {
      done(copyWithTextarea(text));
    }
  }

  var copySeen = new WeakSet();

  function initCopyLinks(scope) {
    var steps = fresh(scope, '.step[id]', copySeen);
    for (var i = 0; i < steps.length; i++) addCopyButton(steps[i]);
  }

  function addCopyButton(step) {
    var label = stepLabel(step);
    var button = el('button', 'step-copy');
    var text = el('span', 'step-copy__text', t('copy_link', 'Copy link'));
    button.type = 'button';
    button.appendChild(text);
    button.appendChild(el('span', 'sr-only', t('to_step', ' to step {n}', { n: label })));
    var timer;
    button.addEventListener('click', function () {
      var url = location.href.split('#')[0] + '#' + encodeURIComponent(step.id);
      copyText(url, function (ok) {
        text.textContent = ok ? t('link_copied', 'Link copied') : t('copy_failed', 'Copy failed');
        button.classList.toggle('step-copy--done', ok);
        announce(ok ? t('step_link_copied', 'Link to step {n} copied', { n: label }) :
          t('step_link_failed', 'Could not copy the link to step {n}', { n: label }));
        clearTimeout(timer);
        timer = setTimeout(function () {
          text.textContent = t('copy_link', 'Copy link');
          button.classList.remove('step-copy--done');
        }, 2000);
      });
    });
    // At the end of the step's first paragraph (or first inline run), like a
    // heading's anchor, so it never covers the text.
    var body = step.querySelector(':scope > .step__body');
    var first = body && body.firstChild;
    while (first && first.nodeType === 3 && !first.nodeValue.trim()) first = first.nextSibling;
    if (first && first.nodeName === 'P') return first.appendChild(button);
    if (!body) return insertAfterAnchor(step, button);
    var block = body.firstElementChild;
    while (block && !/^(P|[UO]L|DL|DIV|PRE|TABLE|BLOCKQUOTE|FIGURE|DETAILS|H\d|HR)$/.test(block.nodeName)) block = block.nextElementSibling;
    body.insertBefore(button, block);
  }

  /* ---------- Ticking steps as done ---------- */

  // Each procedure (a list of steps that is not inside another step) counts its own steps:
  // a tick box at the end of each step's first line, and under the list a line with
  // "2 of 5 steps done" and a reset, shown while any of its steps is ticked. Sub-steps
  // belong to their step and get no box. Ticks are kept per page in localStorage.
  var tickSeen = new WeakSet();
  // What other tabs' ticks change: one function per ticked article body on the page.
  var tickListeners = [];
  var ticksStarted = false;
  // What a change of the options shown changes: one recount per ticked article body.
  var shownListeners = [];

  function initTicks(scope) {
    var body = scope.querySelector('.article .article-body');
    if (!body || tickSeen.has(body)) return;
    tickSeen.add(body);
    var lists = [].filter.call(body.querySelectorAll('ol.steps'), function (list) {
      return !list.parentNode.closest('.step');
    });
    if (!lists.length) return;

    var key = 'stepbook-ticks:' + location.pathname;
    var procedures = lists.map(procedure);

    function procedure(list) {
      var steps = [].filter.call(list.children, function (s) { return s.matches('.step[id]'); });
      var bar = el('div', 'step-progress');
      var meter = el('span', 'step-progress__meter');
      var fill = el('span', 'step-progress__fill');
      var count = el('span', 'step-progress__count');
      var reset = el('button', 'step-progress__reset', t('reset', 'Reset'));
      reset.type = 'button';
      // Each procedure has a reset: its name says which, after the heading above the list.
      var heading = list.previousElementSibling;
      while (heading && !/^H[2-6]$/.test(heading.nodeName)) heading = heading.previousElementSibling;
      if (heading) {
        heading = heading.cloneNode(true);
        var anchors = heading.querySelectorAll('.heading-anchor');
        for (var a = 0; a < anchors.length; a++) anchors[a].remove();
      }
      reset.setAttribute('aria-label', t('reset_ticks', 'Reset ticks') + (heading ? ': ' + heading.textContent.trim() : ''));
      meter.setAttribute('aria-hidden', 'true');
      meter.appendChild(fill);
      bar.appendChild(meter);
      bar.appendChild(count);
      bar.appendChild(reset);
      bar.hidden = true;
      list.parentNode.insertBefore(bar, list.nextSibling);
      var boxes = steps.map(function (step) {
        var label = t('mark_step', 'Mark step {n} as done', { n: stepLabel(step) });
        var tick = el('label', 'step-tick');
        var box = el('input', 'step__tick');
        box.type = 'checkbox';
        tick.title = label;
        tick.appendChild(box);
        tick.appendChild(el('span', 'sr-only', label));
        box.addEventListener('change', function () {
          mark(box, box.checked);
          update(true);
        });
        insertAfterAnchor(step, tick);
        return box;
      });
      reset.addEventListener('click', function () {
        for (var i = 0; i < boxes.length; i++) mark(boxes[i], false);
        update(true);
        announce(t('ticks_cleared', 'Ticks cleared'));
      });
      bar.addEventListener('focusout', function () { setTimeout(function () { update(false); }, 0); });
      return { steps: steps, boxes: boxes, bar: bar, count: count, fill: fill };
    }

    function mark(box, done) {
      box.checked = done;
      box.closest('.step').classList.toggle('step--done', done);
    }

    function load() {
      var ids = null;
      try { ids = JSON.parse(storageGet(key)); } catch (e) { /* unreadable: none */ }
      return Array.isArray(ids) ? ids : [];
    }

    function apply(ids) {
      procedures.forEach(function (p) {
        for (var i = 0; i < p.boxes.length; i++) mark(p.boxes[i], ids.indexOf(p.steps[i].id) !== -1);
      });
      update(false);
    }

    // Refresh each procedure's count over the steps the reader can see (a step hidden in a
    // branch option is not on their path); keep a bar while it has focus (after a reset).
    function update(save) {
      var ids = [];
      procedures.forEach(function (p) {
        var shown = 0;
        var done = 0;
        for (var i = 0; i < p.boxes.length; i++) {
          if (p.boxes[i].checked) ids.push(p.steps[i].id);
          if (!isShown(p.steps[i])) continue;
          shown++;
          if (p.boxes[i].checked) done++;
        }
        p.count.textContent = 'progress' in TEXTS ? t('progress', '', { done: done, total: shown }) :
          done + ' of ' + shown + ' step' + (shown === 1 ? '' : 's') + ' done';
        p.fill.style.width = (shown ? Math.round(done / shown * 100) : 0) + '%';
        if (done) p.bar.hidden = false;
        else if (!p.bar.contains(document.activeElement)) p.bar.hidden = true;
      });
      if (save) storageSet(key, ids.length ? JSON.stringify(ids) : null);
    }

    // Keep other open tabs of the same article in step.
    if (!ticksStarted) {
      ticksStarted = true;
      window.addEventListener('storage', function (event) {
        for (var i = 0; i < tickListeners.length; i++) tickListeners[i](event);
      });
    }
    tickListeners = tickListeners.filter(function (f) { return connected(f.body); });
    var listener = function (event) {
      if (event.key === key && connected(body)) apply(load());
    };
    listener.body = body;
    tickListeners.push(listener);
    shownListeners = shownListeners.filter(function (f) { return connected(f.body); });
    var recount = function () { update(false); };
    recount.body = body;
    shownListeners.push(recount);

    apply(load());
  }

  /* ---------- Branch points ---------- */

  // The build emits every option under its label (what readers see without
  // the script and in print) and a hidden radio group. Here the group shows
  // and only the chosen option stays, or all of them with "Show all". Branch
  // points with the same option keys (data-branch) stay in sync on the page
  // and, through localStorage, across the site. A reader's choice goes in the
  // URL fragment; a fragment naming an option, or anything inside one, opens
  // that option and every one around it (a revealer, so links, search
  // results and step targets all work).
  var BRANCH_KEY = 'stepbook-branch:';

  var branchSeen = new WeakSet();
  // The branch points on the page, and the on-page contents entries that lead into an option.
  var points = [];
  var tocEntries = [];
  var branchesStarted = false;

  function pointOf(node) {
    for (var i = 0; i < points.length; i++) if (points[i].node === node) return points[i];
    return null;
  }

  // Shown when it and every option around it are open.
  function isShown(node) {
    for (var n = node.closest('.branch__option'); n; n = n.parentNode.closest('.branch__option')) {
      if (!n.classList.contains('branch__option--open')) return false;
    }
    return true;
  }

  // The options shown changed: the on-page contents and the step counts follow.
  function updateToc() {
    for (var i = 0; i < tocEntries.length; i++) tocEntries[i].item.hidden = !isShown(tocEntries[i].target);
    for (var j = 0; j < shownListeners.length; j++) shownListeners[j]();
  }

  function findTocEntries() {
    tocEntries = [];
    var links = document.querySelectorAll('aside.toc a[href^="#"]');
    for (var i = 0; i < links.length; i++) {
      var id = links[i].getAttribute('href').slice(1);
      try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
      var target = id && document.getElementById(id);
      if (target && target.closest('.branch__option')) {
        tocEntries.push({ item: links[i].closest('li') || links[i], target: target });
      }
    }
  }

  // Choose `key` on every branch point with the same option set.
  function choose(point, key, save) {
    if (!point.keys.hasOwnProperty(key)) return;
    for (var i = 0; i < points.length; i++) {
      if (points[i].set === point.set) {
        points[i].key = key;
        points[i].render();
      }
    }
    if (save) storageSet(BRANCH_KEY + point.set, key);
    updateToc();
  }

  function initBranches(scope) {
    var nodes = fresh(scope, '.branch', branchSeen);
    if (!nodes.length) return;
    // Points whose content was replaced hand their state (the reader's choice, even one
    // that came from a fragment and was not remembered, and "Show all") to the new points
    // of the same option set, in order.
    var gone = {};
    points = points.filter(function (p) {
      if (connected(p.node)) return true;
      (gone[p.set] = gone[p.set] || []).push(p);
      return false;
    });
    var added = [];
    for (var i = 0; i < nodes.length; i++) {
      var point = enhanceBranch(nodes[i]);
      if (point) added.push(point);
    }
    if (!added.length) return;
    points = points.concat(added);
    findTocEntries();

    added.forEach(function (point) {
      point.onChoose = function (radio) {
        point.showAll = false;
        choose(point, radio.value, true);
        // Name the choice in the URL without scrolling or a hashchange.
        try { history.replaceState(history.state, '', '#' + radio.getAttribute('data-target')); } catch (e) { /* not allowed */ }
      };
      point.onShowAll = function () {
        point.showAll = !point.showAll;
        point.render();
        updateToc();
      };
      var before = gone[point.set] && gone[point.set].shift();
      var saved = storageGet(BRANCH_KEY + point.set);
      if (before) {
        if (before.key !== null && point.keys.hasOwnProperty(before.key)) point.key = before.key;
        point.showAll = before.showAll;
      } else if (saved && point.keys.hasOwnProperty(saved)) {
        point.key = saved;
      }
      point.render();
    });
    updateToc();

    if (branchesStarted) return;
    branchesStarted = true;
    // Open every option around a fragment target (outermost first); the
    // fragment's choice wins over the remembered one but is not remembered.
    revealers.push(function (target) {
      var path = [];
      for (var n = target.closest('.branch__option'); n; n = n.parentNode.closest('.branch__option')) path.unshift(n);
      for (var i = 0; i < path.length; i++) {
        var point = pointOf(path[i].parentNode);
        var key = path[i].getAttribute('data-option');
        if (point && point.key !== key) choose(point, key, false);
      }
      // An option named itself scrolls (ours and the browser's own) to show
      // its question and choices above it.
      if (target.classList.contains('branch__option')) {
        var above = target.getBoundingClientRect().top - target.parentNode.getBoundingClientRect().top;
        target.style.scrollMarginTop = 'calc(' + Math.max(0, Math.round(above)) + 'px + 1.5rem)';
      }
    });
  }

  // Show a branch point's radio group and hint; returns its state, or null
  // when the markup is not a branch point this script knows.
  function enhanceBranch(node) {
    var choices = node.querySelector(':scope > .branch__choices');
    var radios = choices ? choices.querySelectorAll('input[type="radio"]') : [];
    var options = node.querySelectorAll(':scope > .branch__option');
    if (radios.length < 2 || !options.length) return null;
    var all = choices.querySelector('.branch__all');
    var hint = el('p', 'branch__hint', t('choose_one', 'Choose the one that applies.'));
    node.insertBefore(hint, choices.nextSibling);

    var point = {
      node: node,
      set: node.getAttribute('data-branch') || '',
      keys: {},
      key: null,
      showAll: false,
      render: function () {
        for (var i = 0; i < options.length; i++) {
          var chosen = options[i].getAttribute('data-option') === point.key;
          options[i].classList.toggle('branch__option--open', point.showAll || chosen);
          options[i].classList.toggle('branch__option--chosen', chosen);
        }
        for (i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === point.key;
        node.classList.toggle('branch--all', point.showAll);
        if (all) all.setAttribute('aria-pressed', point.showAll ? 'true' : 'false');
        hint.hidden = point.showAll || point.key !== null;
      },
    };
    for (var i = 0; i < options.length; i++) point.keys[options[i].getAttribute('data-option')] = true;

    function pick() { point.onChoose(this); }
    for (i = 0; i < radios.length; i++) {
      radios[i].addEventListener('change', pick);
      // Clicking the chosen one while all show narrows to it (no change event).
      radios[i].addEventListener('click', function () { if (point.showAll && this.checked) pick.call(this); });
    }
    if (all) all.addEventListener('click', function () { point.onShowAll(); });

    node.classList.add('branch--enhanced');
    choices.hidden = false;
    return point;
  }

  /* ---------- Print button and sidebar ---------- */

  // The print button is hidden in the HTML: it does nothing without the script.
  var printSeen = new WeakSet();
  function initPrint(scope) {
    fresh(scope, '.print-button', printSeen).forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  // The collection's article list folds away on narrow screens (it comes before the
  // article there); on wide ones it is a column, always open.
  var sidebarSeen = new WeakSet();
  var wideQuery = window.matchMedia ? window.matchMedia('(min-width: 64rem)') : null;
  function initSidebar(scope) {
    fresh(scope, '.sidebar__details', sidebarSeen).forEach(function (details) {
      var fit = function () { details.open = !wideQuery || wideQuery.matches; };
      fit();
      onMediaChange(wideQuery, function () { if (connected(details)) fit(); });
      details.querySelector('summary').addEventListener('click', function (event) {
        if (wideQuery && wideQuery.matches) event.preventDefault();
      });
    });
  }

  /* ---------- Start ---------- */

  // Features that enhance content start for the whole page, and again for any part of it that
  // is replaced later: window.stepbook.init(root), or a `stepbook:content` event on the
  // document with `detail.root` (what `stepbook serve` sends after it updates a page in
  // place). Each is idempotent: it skips what it has enhanced already.
  // The language switcher keeps the place on the page: the fragment (a step, a section, the
  // reader's branch choice) goes with a link to the same page in another language.
  function initLangSwitch(scope) {
    var links = scope.querySelectorAll('.lang-switch a[href]:not([data-home])');
    for (var i = 0; i < links.length; i++) {
      links[i].addEventListener('click', function (e) {
        var a = e.currentTarget;
        a.href = a.getAttribute('href').split('#')[0] + location.hash;
      });
    }
  }

  var features = [initThemeToggle, initScrollRegions, initCopyLinks, initTicks, initBranches,
    initPrint, initSidebar, initLangSwitch];

  function init(scope) {
    scope = scope || document;
    for (var i = 0; i < features.length; i++) {
      try { features[i](scope); } catch (e) {
        if (window.console) console.error('stepbook: ' + (features[i].name || 'feature') + ' failed', e);
      }
    }
  }

  window.stepbook = { init: init, t: t };
  document.addEventListener('stepbook:content', function (event) {
    init(event.detail && event.detail.root);
  });

  function start() {
    init(document);
    // Once per page: the fragment target (the browser's own jump), not on later updates.
    try { initTargets(); } catch (e) {
      if (window.console) console.error('stepbook: initTargets failed', e);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
