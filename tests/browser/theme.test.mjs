// The built-in theme (content/publish/customize-the-theme.md) over the bundled site (book.toml +
// content/ at the repo root), served over HTTP to headless Chromium:
//
// - axe-core finds no violations on the home page, a collection, two articles
//   (steps, callouts, a branch point, tables) and the 404 page, in light and
//   dark, whether dark comes from the system or from the toggle;
// - no request leaves the site;
// - no sideways scroll at 320 px on any page, light and dark;
// - a keyboard-only walk through an article, with focus always visible;
// - the print stylesheet; light/dark following the system and the toggle
//   remembered; reduced motion; the page-weight budget; images;
// - screenshots (home, collection, article x 320/768/1280 x light/dark) in
//   artifacts/screenshots/ for a person to look at.
//
// Run `cargo build` first (or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import {
  assertNoProblems,
  artifactsDir,
  buildSite,
  describeBuild,
  launchBrowser,
  newPage,
  repoRoot,
  screenshot,
  serveStatic,
  settle,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const axePath = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');
const imageFixture = path.join(here, 'fixtures', 'theme');
const shotsDir = path.join(artifactsDir, 'screenshots');

const HOME = 'index.html';
const COLLECTION = 'write/index.html';
const ARTICLE = 'write/branches.html'; // steps, callouts, a branch point in a step, a table, code
const ARTICLE2 = 'write/write-a-procedure.html'; // many steps, nested steps, callouts, tables
const NOT_FOUND = '404.html';
const KINDS = [
  { kind: 'tags', rel: 'tags/index.html' },
  { kind: 'tag', rel: 'tags/steps.html' },
  { kind: 'home', rel: HOME },
  { kind: 'collection', rel: COLLECTION },
  { kind: 'article', rel: ARTICLE },
  { kind: 'article', rel: ARTICLE2 },
  { kind: '404', rel: NOT_FOUND },
];
const BUDGET = 60 * 1024; // bytes, gzipped: HTML + CSS + JS of an article

// How a page ends up light or dark.
const SCHEMES = {
  light: { system: 'light', toggle: false, dark: false },
  'dark-system': { system: 'dark', toggle: false, dark: true },
  'dark-toggle': { system: 'light', toggle: true, dark: true },
  'light-toggle': { system: 'dark', toggle: true, dark: false },
};

const T = { timeout: 180_000 };

let build;
let server;
let browser;
let allPages; // every HTML page of the build, relative to its root

before(async () => {
  build = await buildSite(repoRoot);
  assert.equal(build.code, 0, `stepbook build failed\n${describeBuild(build)}`);
  server = await serveStatic(build.dir);
  browser = await launchBrowser();
  allPages = (await fs.readdir(build.dir, { recursive: true }))
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.html'))
    .sort();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
});

const urlOf = (rel, base = server.url) => new URL(rel, base).href;

/** Every request must stay on the site's origin (or be a data: URL). */
function assertSameOrigin(requests, origin, where) {
  const outside = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
  assert.deepEqual(outside, [], `requests leaving the site from ${where}`);
}

/**
 * Open a page in its own context (colour scheme, width, motion) and run `fn`;
 * then check it logged no console errors, page errors or failed requests and
 * made no request off the site. A failure leaves theme-<name>-FAILED.png.
 */
async function withPage(name, fn, { scheme = 'light', width = 1280, height = 900, origin, ...ctx } = {}) {
  const mode = SCHEMES[scheme];
  const page = await newPage(browser, {
    viewport: { width, height },
    colorScheme: mode.system,
    ...ctx,
  });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.scheme = mode;
  try {
    await fn(page);
    assertNoProblems(page, name);
    assertSameOrigin(requests, origin ?? new URL(server.url).origin, name);
  } catch (err) {
    await screenshot(page, `theme-${name}-FAILED`).catch(() => {});
    throw err;
  } finally {
    await page.dispose();
  }
}

/** Wait for transitions and animations (fades, the step flash) to end. */
const finishAnimations = (page) =>
  page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));

/** Go to `rel`; with a toggle scheme, work the theme button like a reader. */
async function open(page, rel) {
  await page.goto(urlOf(rel), { waitUntil: 'load' });
  if (page.scheme.toggle) {
    await page.locator('.theme-toggle').click();
    await page.mouse.move(0, 0);
  }
  const theme = await page.evaluate(() => ({
    attr: document.documentElement.getAttribute('data-theme'),
    bg: getComputedStyle(document.body).backgroundColor,
  }));
  if (page.scheme.toggle) assert.equal(theme.attr, page.scheme.dark ? 'dark' : 'light', `toggle on ${rel}`);
  const [r, g, b] = theme.bg.match(/\d+/g).map(Number);
  const dark = r + g + b < 3 * 128;
  assert.equal(dark, page.scheme.dark, `${rel} has a ${dark ? 'dark' : 'light'} background (${theme.bg})`);
  await finishAnimations(page);
}

async function axe(page, where) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: axePath });
  await finishAnimations(page);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  assert.deepEqual(violations, [], `axe-core violations on ${where}`);
}

/** Choose the first option of every branch point and tick the first step. */
async function exercise(page) {
  for (const group of await page.locator('.branch__choices').all()) {
    // Outer points first: a nested one shows once the option around it is chosen.
    if (await group.isVisible()) await group.locator('input[type="radio"]').first().check();
  }
  const tick = page.locator('.step__tick').first();
  if (await tick.count()) await tick.check();
}

// ---------------------------------------------------------------------------
// axe-core
// ---------------------------------------------------------------------------

for (const scheme of Object.keys(SCHEMES)) {
  test(`axe-core: no violations on every page kind (${scheme})`, T, async () => {
    for (const { kind, rel } of KINDS) {
      await withPage(`axe-${scheme}-${kind}`, async (page) => {
        await open(page, rel);
        await axe(page, `${rel} (${scheme})`);
        if (kind !== 'article') return;

        // The reader's tools in use: a choice on every branch point, a ticked
        // step (the progress bar shows), a highlighted step, a shown copy button.
        await exercise(page);
        const step = await page.locator('.step[id]').first().getAttribute('id');
        await page.evaluate((id) => { location.hash = `#${id}`; }, step);
        await page.waitForSelector('.step--highlight');
        await page.locator('.step--highlight .step-copy').first().focus();
        await axe(page, `${rel} in use (${scheme})`);

        for (const button of await page.locator('.branch__all').all()) await button.click();
        await axe(page, `${rel} with every option shown (${scheme})`);
      }, { scheme });
    }
  });
}

// ---------------------------------------------------------------------------
// Requests, width, images
// ---------------------------------------------------------------------------

test('no request leaves the site, on any page, with search in use', T, async () => {
  await withPage('requests', async (page) => {
    for (const rel of allPages) {
      await page.goto(urlOf(rel), { waitUntil: 'load' });
      await settle(page);
    }
    // Search loads its index on demand: use it too.
    await page.goto(urlOf(HOME), { waitUntil: 'load' });
    const box = page.locator('.search__input').first();
    if (await box.count()) {
      await box.fill('branch point');
      await settle(page);
    }
  });
});

for (const scheme of ['light', 'dark-system']) {
  test(`no sideways scroll at 320 px on any page (${scheme})`, T, async () => {
    await withPage(`320-${scheme}`, async (page) => {
      const wide = [];
      const check = async (where) => {
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        if (w > 320) {
          const culprits = await page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((el) => el.getBoundingClientRect().right > 320.5 && el.getClientRects().length)
              .slice(0, 5)
              .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
          );
          wide.push(`${where}: scrollWidth ${w} (${culprits.join(', ')})`);
        }
      };
      for (const rel of allPages) {
        await page.goto(urlOf(rel), { waitUntil: 'load' });
        await finishAnimations(page);
        await check(rel);
        if (await page.locator('.step__tick, .branch__all').count()) {
          await exercise(page);
          for (const button of await page.locator('.branch__all').all()) await button.click();
          await finishAnimations(page);
          await check(`${rel} in use`);
        }
      }
      assert.deepEqual(wide, [], 'pages wider than 320 px');
    }, { scheme, width: 320, height: 640 });
  });
}

test('every image in the bundled site loads lazily and keeps its space', T, async () => {
  await withPage('images-bundled', async (page) => {
    const bad = [];
    for (const rel of allPages) {
      await page.goto(urlOf(rel), { waitUntil: 'load' });
      bad.push(...(await page.evaluate(imageProblems)).map((p) => `${rel}: ${p}`));
    }
    assert.deepEqual(bad, []);
  });
});

/** In the page: what is wrong with each content image (lazy, space kept). */
function imageProblems() {
  const out = [];
  for (const img of document.querySelectorAll('main img')) {
    const name = img.getAttribute('src');
    if (img.getAttribute('loading') !== 'lazy') out.push(`<img src="${name}"> has no loading="lazy"`);
    const sized = img.hasAttribute('width') && img.hasAttribute('height');
    if (!sized && getComputedStyle(img).aspectRatio === 'auto') {
      out.push(`<img src="${name}"> has no width/height or aspect-ratio`);
    }
  }
  return out;
}

test('images in an article fit the column at 320 px and keep their proportions', T, async () => {
  const fixture = await buildSite(imageFixture);
  assert.equal(fixture.code, 0, describeBuild(fixture));
  const fixtureServer = await serveStatic(fixture.dir);
  try {
    await withPage('images-320', async (page) => {
      await page.goto(urlOf('guides/pictures.html', fixtureServer.url), { waitUntil: 'load' });
      // Images load lazily: bring each into view and let it load first.
      await page.evaluate(async () => {
        for (const img of document.querySelectorAll('main img')) {
          img.scrollIntoView();
          await img.decode().catch(() => {});
        }
        window.scrollTo(0, 0);
      });
      const imgs = await page.evaluate(() =>
        [...document.querySelectorAll('main img')].map((img) => {
          const r = img.getBoundingClientRect();
          return { w: r.width, h: r.height, complete: img.complete && img.naturalWidth > 0 };
        }),
      );
      assert.equal(imgs.length, 2);
      for (const img of imgs) {
        assert.ok(img.complete, 'an image did not load');
        assert.ok(img.w > 100 && img.w <= 320, `image width ${img.w}`);
        assert.ok(Math.abs(img.w / img.h - 1200 / 675) < 0.02, `image distorted: ${img.w}x${img.h}`);
      }
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320));
    }, { width: 320, height: 640, origin: new URL(fixtureServer.url).origin });
  } finally {
    await fixtureServer.close();
    await fixture.cleanup();
  }
});

test('images from Markdown get loading="lazy" and their size', T, async () => {
  const fixture = await buildSite(imageFixture);
  assert.equal(fixture.code, 0, describeBuild(fixture));
  try {
    const html = await fs.readFile(path.join(fixture.dir, 'guides', 'pictures.html'), 'utf8');
    const tags = html.match(/<img\b[^>]*>/g) ?? [];
    assert.equal(tags.length, 2);
    for (const tag of tags) {
      assert.match(tag, /\sloading="lazy"/, tag);
      assert.match(tag, /\swidth="\d+"/, tag);
      assert.match(tag, /\sheight="\d+"/, tag);
    }
  } finally {
    await fixture.cleanup();
  }
});

// ---------------------------------------------------------------------------
// Keyboard
// ---------------------------------------------------------------------------

/** In the page: is the focused element (or the choice around a radio) visibly marked? */
function focusState() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', visible: false, shown: false };
  const marked = (node) => {
    const s = getComputedStyle(node);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return outline || (s.boxShadow && s.boxShadow !== 'none');
  };
  const holders = [el, el.closest('.branch__choice')].filter(Boolean);
  const r = el.getBoundingClientRect();
  let opacity = 1;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
  // A visually hidden input (sr-only) shows focus on what is around it.
  return {
    tag: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}` +
      `${el.type ? `[${el.type}]` : ''}`,
    visible: holders.some(marked),
    shown: (r.width > 2 && r.height > 2 && opacity > 0.5) || !!el.closest('.branch__choice'),
  };
}

test('keyboard only: skip link, step link, copy button and branch choices, focus always visible', T, async () => {
  for (const scheme of ['light', 'dark-system']) {
    await withPage(`keyboard-${scheme}`, async (page) => {
      // The header first: every stop in it shows its focus.
      await page.goto(urlOf(ARTICLE), { waitUntil: 'load' });
      const header = [];
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        await finishAnimations(page);
        const h = await page.evaluate(focusState);
        if (await page.evaluate(() => !!document.activeElement.closest('main'))) break;
        header.push(h);
      }
      await settle(page); // focusing the search box preloads its index: let that finish
      const hidden = header.filter((h) => !h.visible || !h.shown);
      assert.deepEqual(hidden, [], 'focus not visible in the header');
      for (const want of [/^a\.skip-link/, /^a\.site-title/, /^input.*search__input/, /^button\.theme-toggle/]) {
        assert.ok(header.some((h) => want.test(h.tag)), `Tab never reached ${want} in the header: ${header.map((h) => h.tag)}`);
      }

      await page.goto(urlOf(ARTICLE), { waitUntil: 'load' });
      await page.keyboard.press('Tab');
      let f = await page.evaluate(focusState);
      assert.match(f.tag, /^a\.skip-link/, 'the first Tab stop is not the skip link');
      assert.ok(f.visible && f.shown, `the skip link's focus is not visible: ${JSON.stringify(f)}`);
      const box = await page.locator('.skip-link').boundingBox();
      assert.ok(box && box.y >= 0 && box.y < 100, `the focused skip link is off screen: ${JSON.stringify(box)}`);

      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'main');

      const found = { stepLink: null, copy: null, radio: null };
      const invisible = [];
      let presses = 0;
      while (presses < 60 && (presses < 40 || !found.radio)) {
        await page.keyboard.press('Tab');
        presses++;
        await finishAnimations(page); // a focused link or button may fade in
        f = await page.evaluate(focusState);
        if (!f.visible || !f.shown) invisible.push(`Tab ${presses}: ${f.tag} ${JSON.stringify(f)}`);
        if (!found.stepLink && /^a\.step-anchor/.test(f.tag)) found.stepLink = presses;
        if (!found.copy && /^button\.step-copy/.test(f.tag)) found.copy = presses;
        if (!found.radio && /\[radio\]$/.test(f.tag)) {
          found.radio = presses;
          // Arrow keys move through the options, and each shows its steps.
          const before = await page.evaluate(() => document.activeElement.value);
          await page.keyboard.press('ArrowDown');
          const state = await page.evaluate(() => {
            const r = document.activeElement;
            const opt = document.getElementById(r.getAttribute('data-target'));
            return { value: r.value, checked: r.checked, shown: opt.getClientRects().length > 0 };
          });
          assert.notEqual(state.value, before, 'ArrowDown did not move to the next option');
          assert.ok(state.checked && state.shown, `ArrowDown did not choose: ${JSON.stringify(state)}`);
          await page.keyboard.press('ArrowUp');
          assert.equal(await page.evaluate(() => document.activeElement.value), before);
          f = await page.evaluate(focusState);
          if (!f.visible) invisible.push(`after arrows: ${f.tag}`);
        }
      }
      assert.ok(found.stepLink, `${presses} Tabs never reached a step's link`);
      assert.ok(found.copy, `${presses} Tabs never reached a "Copy link" button`);
      assert.ok(found.radio, `${presses} Tabs never reached the branch choices`);
      assert.ok(found.stepLink < found.copy, 'the copy button comes before its step link');
      assert.deepEqual(invisible, [], 'focus was not visible');
    }, { scheme });
  }
});

// ---------------------------------------------------------------------------
// Print, theme, motion
// ---------------------------------------------------------------------------

test('print: no site chrome, every branch option shown, no ticks', T, async () => {
  await withPage('print', async (page) => {
    await page.goto(urlOf(ARTICLE), { waitUntil: 'load' });
    await exercise(page);
    await page.emulateMedia({ media: 'print' });
    await finishAnimations(page);
    const state = await page.evaluate(() => {
      const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      const sel = ['.site-header', '.site-footer', '.site-nav', '.toc', '.pager', '.search',
        '.skip-link', '.breadcrumbs', '.theme-toggle', '.step-tick', '.step__tick', '.step-copy',
        '.step-progress', '.branch__choices', '.heading-anchor', '.see-also', '.sidebar', '.print-button'];
      return {
        present: sel.filter((s) => document.querySelector(s)),
        visible: sel.filter((s) => [...document.querySelectorAll(s)].some(shown)),
        options: [...document.querySelectorAll('.branch__option')].map((o) => shown(o)),
        labels: [...document.querySelectorAll('.branch__label')].map((l) => l.getBoundingClientRect().width > 20),
        done: document.querySelectorAll('.step--done').length,
        anchorBg: getComputedStyle(document.querySelector('.step--done > .step-anchor')).backgroundColor,
      };
    });
    for (const s of ['.site-header', '.site-footer', '.toc', '.pager', '.search', '.step-tick', '.step-copy', '.see-also', '.sidebar', '.print-button']) {
      assert.ok(state.present.includes(s), `the article has no ${s} to hide`);
    }
    assert.deepEqual(state.visible, [], 'shown in print');
    assert.ok(state.options.length >= 2 && state.options.every(Boolean), `options hidden in print: ${state.options}`);
    assert.ok(state.labels.every(Boolean), 'an option label is hidden in print');
    assert.equal(state.done, 1);
    assert.equal(state.anchorBg, 'rgb(255, 255, 255)', 'a ticked step prints as a plain number');
    await page.pdf({ path: path.join(artifactsDir, 'theme-print.pdf') }).catch(() => {});
  });
});

test('light and dark follow the system; the toggle choice is remembered', T, async () => {
  const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const isDark = async (page) => {
    const [r, g, b] = (await bg(page)).match(/\d+/g).map(Number);
    return r + g + b < 3 * 128;
  };

  await withPage('theme-system', async (page) => {
    await page.goto(urlOf(HOME), { waitUntil: 'load' });
    assert.equal(await isDark(page), false, 'light system, light page');
    assert.equal(await page.locator('.theme-toggle').getAttribute('aria-pressed'), 'false');
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await isDark(page), true, 'the page does not follow the system to dark');
    // The button hears of the change through a media query listener: an event, so wait.
    await page.waitForFunction(() => document.querySelector('.theme-toggle').getAttribute('aria-pressed') === 'true');
  });

  await withPage('theme-toggle', async (page) => {
    await page.goto(urlOf(ARTICLE), { waitUntil: 'load' });
    await page.locator('.theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await page.evaluate(() => localStorage.getItem('stepbook-theme')), 'dark');
    assert.equal(await isDark(page), true);

    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await isDark(page), true, 'dark is not remembered after a reload');
    assert.equal(await page.locator('.theme-toggle').getAttribute('aria-pressed'), 'true');

    // Remembered across the site, and over a light system.
    await page.goto(urlOf(COLLECTION), { waitUntil: 'load' });
    assert.equal(await isDark(page), true, 'dark is not remembered on another page');

    // And back to light, over a dark system.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('.theme-toggle').click();
    assert.equal(await page.evaluate(() => localStorage.getItem('stepbook-theme')), 'light');
    await page.reload({ waitUntil: 'load' });
    assert.equal(await isDark(page), false, 'light is not remembered over a dark system');
  });
});

/** In the page: CSS animations/transitions on the step highlight and branch options. */
function motionState() {
  const secs = (v) => Math.max(...v.split(',').map((s) => (s.trim().endsWith('ms') ? parseFloat(s) / 1000 : parseFloat(s))));
  const els = [...document.querySelectorAll('.step--highlight, .branch__option--open')];
  return {
    count: els.length,
    long: els.flatMap((el) => {
      const s = getComputedStyle(el);
      const out = [];
      if (s.animationName !== 'none' && secs(s.animationDuration) > 0.01) out.push(`${el.id}: animation ${s.animationName} ${s.animationDuration}`);
      if (secs(s.transitionDuration) > 0.01) out.push(`${el.id}: transition ${s.transitionProperty} ${s.transitionDuration}`);
      return out;
    }),
    running: document.getAnimations()
      .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().duration > 10)
      .map((a) => `${a.animationName || a.transitionProperty} on ${a.effect?.target?.id || a.effect?.target?.className}`),
  };
}

test('reduced motion: no step flash or branch fade', T, async () => {
  const run = async (page) => {
    await page.goto(urlOf(ARTICLE), { waitUntil: 'load' });
    const target = await page.locator('.step[id]').nth(2).getAttribute('id');
    await page.evaluate((id) => { location.hash = `#${id}`; }, target);
    await page.waitForSelector('.step--highlight');
    await page.locator('.branch__choices input[type="radio"]').nth(1).check();
    return page.evaluate(motionState);
  };

  // Without the preference both move, so the check below means something.
  await withPage('motion-normal', async (page) => {
    const state = await run(page);
    assert.ok(state.count >= 2, JSON.stringify(state));
    assert.ok(state.long.length >= 2, `no motion to reduce: ${JSON.stringify(state)}`);
  });

  await withPage('motion-reduced', async (page) => {
    const state = await run(page);
    assert.ok(state.count >= 2, JSON.stringify(state));
    assert.deepEqual(state.long, [], 'motion with prefers-reduced-motion: reduce');
    assert.deepEqual(state.running, [], 'running animations with prefers-reduced-motion: reduce');
  }, { reducedMotion: 'reduce' });
});

// ---------------------------------------------------------------------------
// Weight and screenshots
// ---------------------------------------------------------------------------

test(`page weight: an article's HTML + CSS + JS, gzipped, is under ${BUDGET / 1024} kB`, T, async (t) => {
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  const report = (label, files) => {
    const sum = (type) => files.filter((f) => f.type === type).reduce((n, f) => n + f.gz, 0);
    const [html, css, js] = ['document', 'stylesheet', 'script'].map(sum);
    const total = html + css + js;
    const lines = [
      `${label}: ${kb(total)} gzipped (HTML ${kb(html)}, CSS ${kb(css)}, JS ${kb(js)}); budget ${kb(BUDGET)}`,
      ...files.map((f) => `  ${f.type.padEnd(10)} ${kb(f.gz).padStart(8)}  (${kb(f.raw)} raw)  ${new URL(f.url).pathname}`),
    ];
    for (const line of lines) t.diagnostic(line);
    return { html, css, js, total, text: lines.join('\n') };
  };

  for (const rel of [ARTICLE, ARTICLE2]) {
    await withPage(`weight-${rel}`, async (page) => {
      const bodies = [];
      page.on('response', (resp) => {
        const type = resp.request().resourceType();
        if (!['document', 'stylesheet', 'script'].includes(type) || resp.status() !== 200) return;
        bodies.push(resp.body().then((b) => ({ type, url: resp.url(), raw: b.length, gz: gzipSync(b, { level: 9 }).length })));
      });
      await page.goto(urlOf(rel), { waitUntil: 'load' });
      await settle(page);
      const onLoad = report(`${rel} as loaded`, await Promise.all(bodies));
      assert.ok(onLoad.html > 0 && onLoad.css > 0 && onLoad.js > 0, onLoad.text);
      assert.ok(onLoad.total < BUDGET, onLoad.text);

      // Searching loads the engine and index shards on demand. How much depends on
      // the site's size and the query, so this figure is reported, not asserted.
      const box = page.locator('.search__input').first();
      if (!(await box.count())) return;
      await box.fill('branch');
      await page.waitForSelector('.search__panel:not([hidden]) [role="option"]');
      await settle(page);
      report(`${rel} after searching "branch" (not asserted)`, await Promise.all(bodies));
    });
  }
});

test('screenshots: home, collection and article at 320, 768 and 1280 px, light and dark', T, async () => {
  await fs.mkdir(shotsDir, { recursive: true });
  const written = [];
  for (const { kind, rel } of KINDS.slice(0, 3)) {
    for (const width of [320, 768, 1280]) {
      for (const scheme of ['light', 'dark']) {
        await withPage(`shot-${kind}-${width}-${scheme}`, async (page) => {
          await page.goto(urlOf(rel), { waitUntil: 'load' });
          if (kind === 'article') {
            // A choice made and a step ticked, so the reader's tools show.
            await page.locator('.branch__choices input[type="radio"]').first().check();
            await page.locator('.step__tick').first().check();
          }
          await page.evaluate(() => {
            document.activeElement?.blur();
            window.scrollTo({ top: 0, behavior: 'instant' }); // sticky parts where a reader first sees them
          });
          await page.mouse.move(0, 0);
          await finishAnimations(page);
          const file = path.join(shotsDir, `${kind}-${width}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          written.push(file);
        }, { scheme: scheme === 'dark' ? 'dark-system' : 'light', width });
      }
    }
  }
  assert.equal(written.length, 18);
});
