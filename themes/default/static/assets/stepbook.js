/* stepbook default theme script. Vanilla JS, no dependencies, no globals.
   Each feature is one small init function, started from the list at the end. */
(function () {
  'use strict';

  var root = document.documentElement;
  var THEME_KEY = 'stepbook-theme';

  /* ---------- Helpers ---------- */

  // localStorage may throw (file://, privacy modes, quota, disabled storage).
  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* not saved */ }
  }

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

  function initThemeToggle() {
    var buttons = document.querySelectorAll('.theme-toggle');
    if (!buttons.length) return;

    function sync() {
      var dark = currentTheme() === 'dark';
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].setAttribute('aria-pressed', dark ? 'true' : 'false');
        buttons[i].title = dark ? 'Switch to light theme' : 'Switch to dark theme';
      }
    }

    function apply(theme, save) {
      root.setAttribute('data-theme', theme);
      if (save) storageSet(THEME_KEY, theme);
      sync();
    }

    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function () {
        apply(currentTheme() === 'dark' ? 'light' : 'dark', true);
      });
    }

    // Follow the system while no choice is saved.
    onMediaChange(darkQuery, sync);

    // Keep other open tabs of the site in step.
    window.addEventListener('storage', function (event) {
      if (event.key === THEME_KEY && isTheme(event.newValue)) apply(event.newValue, false);
    });

    sync();
  }

  /* ---------- Scrollable code blocks and tables ---------- */

  // A <pre> or <table> wider than the column scrolls inside itself; make it
  // reachable by keyboard so it can be scrolled without a mouse (WCAG 2.1.1).
  function initScrollRegions() {
    var boxes = document.querySelectorAll('.prose pre, .prose table');
    if (!boxes.length) return;
    var pending = false;

    function update() {
      pending = false;
      for (var i = 0; i < boxes.length; i++) {
        var box = boxes[i];
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

    window.addEventListener('resize', function () {
      if (pending) return;
      pending = true;
      (window.requestAnimationFrame || setTimeout)(update);
    });
    update();
  }

  /* ---------- Start ---------- */

  var features = [initThemeToggle, initScrollRegions];

  function start() {
    for (var i = 0; i < features.length; i++) {
      try { features[i](); } catch (e) {
        if (window.console) console.error('stepbook: ' + (features[i].name || 'feature') + ' failed', e);
      }
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
