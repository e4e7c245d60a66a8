/* stepbook search: the search box (ARIA combobox with a listbox of grouped results), the `/`
   shortcut, and the highlighting of ?highlight= words on the page a result opens. The query
   engine (search.js, next to this file) and the index are loaded with <script> tags, so search
   works from file://, and only once the box is used (or the page has words to highlight). */
(function () {
  'use strict';
  var FIRST = 5, LIMIT = 10;
  var MORE_AFTER_MS = 300;
  var self = document.currentScript && document.currentScript.src;
  var ENGINE = self ? self.replace(/search-ui\.js(?:[?#].*)?$/, 'search.js') : '';
  var E = null;
  var loading = null;
  var searcher = null;
  var boxes = [];

  // A text of the theme in the page's language (stepbook.js reads them), or the English one.
  function t(name, english) {
    return window.stepbook && window.stepbook.t ? window.stepbook.t(name, english) : english;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = function () { s.remove(); resolve(); };
      s.onerror = function () { s.remove(); reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }

  /** The query engine, loaded on first use. */
  function engine() {
    if (!loading) {
      loading = (window.stepbookSearchEngine ? Promise.resolve() : loadScript(ENGINE)).then(function () {
        E = window.stepbookSearchEngine;
        if (!E) throw new Error('stepbook search: no engine');
        return E;
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /** `text` with the given [start, end) ranges wrapped in <mark>, appended to `parent`. */
  function marked(parent, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) parent.appendChild(document.createTextNode(text.slice(at, r[0])));
      parent.appendChild(el('mark', '', text.slice(r[0], r[1])));
      at = r[1];
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  /** The search over this site's index (the engine must be loaded). */
  function getSearcher(root) {
    if (!searcher) {
      searcher = E.createSearch(function (path) { return loadScript(root + path); });
      window.stepbookSearch = searcher.receiver;
    }
    return searcher;
  }

  /* ---------- One search box ---------- */

  function Box(root) {
    var input = root.querySelector('input');
    var panel = root.querySelector('.search__panel');
    var list = root.querySelector('[role="listbox"]');
    var empty = root.querySelector('.search__empty');
    var status = root.querySelector('[role="status"]');
    var siteRoot = root.getAttribute('data-root') || '';
    var prefix = list.id + '-';
    var options = [];
    var active = -1;
    var seq = 0;
    var shown = '';

    function open(withOptions) {
      panel.hidden = false;
      input.setAttribute('aria-expanded', withOptions ? 'true' : 'false');
    }
    function close() {
      panel.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      setActive(-1);
    }
    function setActive(i) {
      if (options[active]) options[active].setAttribute('aria-selected', 'false');
      active = i;
      var opt = options[i];
      if (opt) {
        opt.setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', opt.id);
        opt.scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }
    function say(text) {
      if (status.textContent !== text) status.textContent = text;
    }

    function href(group, hit) {
      var hash = hit.url.indexOf('#');
      var path = hash < 0 ? hit.url : hit.url.slice(0, hash);
      var words = group.highlight.map(encodeURIComponent).join('+');
      return siteRoot + path + (words ? '?highlight=' + words : '') + (hash < 0 ? '' : hit.url.slice(hash));
    }

    function option(group, hit, n, isMatch) {
      var a = el('a', 'search__hit search__hit--' + hit.kind);
      a.id = prefix + n;
      a.href = href(group, hit);
      a.setAttribute('role', 'option');
      a.setAttribute('aria-selected', 'false');
      a.tabIndex = -1;
      var title = el('span', 'search__title');
      if (hit.kind === 'article') {
        var c = group.article.c;
        if (c) marked(title.appendChild(el('span', 'search__crumbs')), c + ' \u203a ', E.ranges(c, isMatch));
        marked(title, hit.title, E.ranges(hit.title, isMatch));
      } else {
        // "Step n" is not the reader's text: it is never marked.
        var own = hit.kind === 'step' ? hit.path.slice(0, -1) : hit.path;
        var text = own.join(' \u203a ');
        marked(title, text, E.ranges(text, isMatch));
        if (own !== hit.path) title.appendChild(document.createTextNode((text ? ' \u203a ' : '') + hit.title));
      }
      a.appendChild(title);
      if (hit.text) {
        var snip = E.snippet(hit.text, isMatch, 150);
        marked(a.appendChild(el('span', 'search__text')), snip.text, snip.ranges);
      }
      return a;
    }

    function render(result, keep) {
      var isMatch = searcher.matcher(result);
      var was = keep ? active : -1;
      list.textContent = '';
      options = [];
      active = -1;
      input.removeAttribute('aria-activedescendant');
      result.groups.forEach(function (group, g) {
        var box = el('div', 'search__group');
        box.setAttribute('role', 'group');
        var first = group.hits[0];
        var labelId = list.id + '-g' + g;
        if (first.kind !== 'article') {
          var head = el('div', 'search__head');
          var c = group.article.c;
          if (c) marked(head.appendChild(el('span', 'search__crumbs')), c + ' \u203a ', E.ranges(c, isMatch));
          marked(head, group.article.t, E.ranges(group.article.t, isMatch));
          head.id = labelId;
          head.setAttribute('aria-hidden', 'true');
          box.appendChild(head);
        }
        group.hits.forEach(function (hit) {
          var a = option(group, hit, options.length, isMatch);
          if (hit.kind === 'article') a.firstChild.id = labelId;
          options.push(a);
          box.appendChild(a);
        });
        box.setAttribute('aria-labelledby', labelId);
        list.appendChild(box);
      });
      var none = !result.groups.length;
      empty.hidden = !none;
      list.hidden = none;
      if (none) {
        empty.textContent = '';
        var p = empty.appendChild(el('p', 'search__empty-title', t('no_results_for', 'No results for') + ' \u201c'));
        p.appendChild(el('strong', '', result.query.trim()));
        p.appendChild(document.createTextNode('\u201d'));
        var tips = empty.appendChild(el('ul'));
        tips.appendChild(el('li', '', t('check_spelling', 'Check the spelling.')));
        tips.appendChild(el('li', '', t('fewer_words', 'Try fewer or different words.')));
        var home = el('a', '', t('browse_all', 'Browse all articles'));
        home.href = siteRoot + 'index.html';
        var li = tips.appendChild(el('li'));
        li.appendChild(home);
        li.appendChild(document.createTextNode(t('from_home', ' from the home page.')));
        say(t('no_results', 'No results'));
      } else {
        var n = result.total;
        var said = result.partial ? t('matches_more', '{n}+ articles match. Use the arrow keys to move through the results.')
          : n === 1 ? t('matches_one', '1 article matches. Use the arrow keys to move through the results.')
            : t('matches_many', '{n} articles match. Use the arrow keys to move through the results.');
        say(said.replace('{n}', n));
      }
      // The full results do not open the panel again once the reader has closed it (Escape,
      // or the focus left the box) while they were on their way.
      if (!keep || !panel.hidden) open(!none);
      if (was >= 0 && options[was]) setActive(was);
      root.setAttribute('data-query', result.query);
    }

    function failed() {
      list.textContent = '';
      options = [];
      list.hidden = true;
      empty.hidden = false;
      empty.textContent = t('search_unavailable', 'Search is not available: the search index could not be loaded.');
      say(empty.textContent);
      open(false);
    }

    function run() {
      var q = input.value;
      var mine = ++seq;
      function clear() {
        shown = q;
        list.textContent = '';
        options = [];
        say('');
        close();
      }
      if (!q.trim()) return clear();
      engine().then(function () {
        if (mine !== seq) return;
        if (!E.parseQuery(q).length) return clear();
        // The first few articles need the fewest files; the rest follow.
        return search(q, mine);
      }).catch(function () {
        if (mine === seq) failed();
      });
    }

    function search(q, mine) {
      var s = getSearcher(siteRoot);
      // First from the heads of long postings (the articles where the words score
      // highest), then from all of them.
      return s.search(q, { limit: FIRST, quick: true }).then(function (result) {
        if (mine !== seq) return;
        shown = q;
        render(result, false);
        if (result.total <= FIRST && !result.partial) return;
        // The rest of the results only once typing has paused: each keystroke would
        // otherwise fetch the files of results that are gone a moment later.
        return new Promise(function (resolve) { setTimeout(resolve, MORE_AFTER_MS); }).then(function () {
          if (mine !== seq) return;
          // The first result stays in place when the full ranking puts it close to first.
          var first = result.groups[0];
          return s.search(q, { limit: LIMIT, keep: first && first.id }).then(function (more) {
            if (mine === seq) render(more, true);
          });
        });
      });
    }

    function go(opt, event) {
      if (!opt) return;
      close();
      if (event && (event.ctrlKey || event.metaKey)) window.open(opt.href);
      else location.href = opt.href;
    }

    input.addEventListener('focus', function () {
      engine().then(function () { return getSearcher(siteRoot).preload(); }).catch(function () {});
      if (input.value && shown === input.value && (options.length || !empty.hidden)) open(options.length > 0);
      else if (input.value) run();
    });
    input.addEventListener('input', run);
    input.addEventListener('keydown', function (e) {
      if (e.isComposing) return;
      var n = options.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (panel.hidden) { if (input.value) { open(n > 0); run(); } return; }
        if (!n) return;
        var down = e.key === 'ArrowDown';
        setActive(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
      } else if (e.key === 'Enter') {
        if (panel.hidden || !n) return;
        e.preventDefault();
        go(options[active < 0 ? 0 : active], e);
      } else if (e.key === 'Escape') {
        if (!panel.hidden) { e.preventDefault(); close(); }
        else if (input.value) { e.preventDefault(); input.value = ''; run(); }
      }
    });
    root.addEventListener('focusout', function (e) {
      if (!e.relatedTarget || !root.contains(e.relatedTarget)) close();
    });
    list.addEventListener('mousedown', function (e) {
      // Keep the focus in the box while a result is clicked.
      if (e.target.closest('[role="option"]')) e.preventDefault();
    });
    list.addEventListener('click', function (e) {
      var opt = e.target.closest('[role="option"]');
      if (opt && !(e.ctrlKey || e.metaKey || e.shiftKey || e.button)) close();
    });

    return { input: input, root: root };
  }

  /* ---------- `/` focuses the search box ---------- */

  function typingIn(node) {
    if (!node || !node.tagName) return false;
    if (node.isContentEditable || node.tagName === 'TEXTAREA' || node.tagName === 'SELECT') return true;
    return node.tagName === 'INPUT' &&
      !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(node.type);
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typingIn(e.target) || !boxes.length) return;
    var box = boxes.filter(function (b) { return b.root.classList.contains('search--hero'); })[0] || boxes[0];
    e.preventDefault();
    box.input.focus();
    box.input.select();
  });

  /* ---------- Highlight the words a result was found by ---------- */

  var SKIP = 'code, pre, kbd, samp, script, style, textarea, mark, svg, .heading-anchor, .step-anchor, [aria-hidden="true"]';

  function highlightPage(words, scope) {
    var terms = new Set(E.tokenize(words));
    if (!terms.size) return;
    var isMatch = function (t) { return terms.has(t); };
    var bodies = scope.querySelectorAll('.article-body');
    for (var b = 0; b < bodies.length; b++) {
      var walker = document.createTreeWalker(bodies[b], NodeFilter.SHOW_TEXT, null);
      var nodes = [];
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (/[\p{L}\p{N}]/u.test(node.data) && !node.parentElement.closest(SKIP)) nodes.push(node);
      }
      nodes.forEach(function (node) {
        var ranges = E.ranges(node.data, isMatch);
        if (!ranges.length) return;
        var frag = document.createDocumentFragment(), at = 0, text = node.data;
        ranges.forEach(function (r) {
          if (r[0] > at) frag.appendChild(document.createTextNode(text.slice(at, r[0])));
          frag.appendChild(el('mark', 'search-hit', text.slice(r[0], r[1])));
          at = r[1];
        });
        if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
        node.parentNode.replaceChild(frag, node);
      });
    }
  }

  var seen = new WeakSet();

  // Sets up the search boxes and highlights in `scope`: the whole page at first, and again
  // any part of it replaced later (a `stepbook:content` event, as `stepbook serve` sends).
  function start(scope) {
    scope = scope && scope.querySelectorAll ? scope : document;
    boxes = boxes.filter(function (b) { return document.documentElement.contains(b.root); });
    var roots = scope.querySelectorAll('[data-search]');
    for (var i = 0; i < roots.length; i++) {
      if (seen.has(roots[i])) continue;
      seen.add(roots[i]);
      if (roots[i].querySelector('input') && roots[i].querySelector('[role="listbox"]')) boxes.push(Box(roots[i]));
    }
    var words = null;
    try { words = new URLSearchParams(location.search).get('highlight'); } catch (e) { /* none */ }
    if (words) engine().then(function () { highlightPage(words, scope); }).catch(function () {});
  }

  document.addEventListener('stepbook:content', function (event) { start(event.detail && event.detail.root); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { start(document); });
  else start(document);
})();
