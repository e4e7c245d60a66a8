// The site's chrome around articles, on a small branded site (fixtures/brand):
//
// - ticking steps: sub-steps have no box, the number stays, the count is per procedure;
// - the sidebar: the collection's articles with the current one marked, a column on wide
//   screens, folded away on phones;
// - the 404 page served by a host for a missing address at any depth under a sub-path (the
//   path part of base-url, on a host that is not base-url's), and opened from disk;
// - the brand accent from book.toml, in light and dark, with axe-core clean in both;
// - the print button.
//
// Run `cargo build` first (or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  buildSite, describeBuild, fileUrl, launchBrowser, newPage, screenshot, serveStatic, settle,
  withPage as withPageIn,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'brand');
const axePath = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');
const T = { timeout: 120_000 };
const ARTICLE = 'guides/set-up.html';

let build;
let server;
let hosted; // the same build under /docs/, with 404.html for anything missing
let browser;

before(async () => {
  build = await buildSite(fixture);
  assert.equal(build.code, 0, describeBuild(build));
  server = await serveStatic(build.dir);
  hosted = await serveStatic(build.dir, { prefix: '/docs/', notFound: '404.html' });
  browser = await launchBrowser();
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await hosted?.close();
  await build?.cleanup();
});

const withPage = (name, fn, contextOptions) => withPageIn(browser, 'site', name, fn, contextOptions);

async function axe(page, where) {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  );
  assert.deepEqual(violations, [], `axe-core violations on ${where}`);
}

test('ticking: sub-steps have no box, a ticked step keeps its number, each procedure counts its own', T, async () => {
  await withPage('ticks', async (page) => {
    await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.step__tick')].map((b) => b.closest('.step').id));
    assert.deepEqual(boxes, [
      'create-an-account-step-1', 'create-an-account-step-2', 'create-an-account-step-3',
      'sign-in-step-1', 'sign-in-step-2',
    ]);
    await page.locator('[id="create-an-account-step-2"] > .step-tick').click();
    const state = await page.evaluate(() => ({
      counts: [...document.querySelectorAll('.step-progress')].map((b) => (b.hidden ? null : b.querySelector('.step-progress__count').textContent)),
      number: document.querySelector('[id="create-an-account-step-2"] > .step-anchor').textContent,
    }));
    assert.deepEqual(state.counts, ['1 of 3 steps done', null]);
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll('.step-progress__reset')].map((b) => b.getAttribute('aria-label'))),
      ['Reset ticks: Create an account', 'Reset ticks: Sign in'],
    );
    assert.equal(state.number, '2');
    await page.locator('[id="create-an-account-step-2"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'site-ticked-step', { fullPage: false });
  });
});

test('the sidebar lists the collection and marks the current article; it folds away on phones', T, async () => {
  const listed = (page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('.sidebar__link')].map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('aria-current')]),
    );
  const expected = [
    ['Set up your account', 'set-up.html', 'page'],
    ['Invite your team', 'invite.html', null],
    ['Export your data', 'export.html', null],
  ];
  await withPage('sidebar-wide', async (page) => {
    await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
    assert.deepEqual(await listed(page), expected);
    const layout = await page.evaluate(() => {
      const side = document.querySelector('.sidebar').getBoundingClientRect();
      const article = document.querySelector('.article').getBoundingClientRect();
      return { open: document.querySelector('.sidebar__details').open, beside: side.right <= article.left, top: Math.abs(side.top - article.top) < 2 };
    });
    assert.deepEqual(layout, { open: true, beside: true, top: true });
    await page.locator('.sidebar__link', { hasText: 'Invite your team' }).click();
    await page.waitForURL(/invite\.html$/);
    assert.equal(await page.getAttribute('.sidebar__link[aria-current="page"]', 'href'), 'invite.html');
  }, { viewport: { width: 1280, height: 900 } });

  await withPage('sidebar-phone', async (page) => {
    await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
    assert.deepEqual(await listed(page), expected);
    const summary = page.locator('.sidebar__summary');
    assert.ok(await summary.isVisible());
    assert.ok(await page.locator('.sidebar__list').isHidden(), 'the list is open on a phone');
    const below = await page.evaluate(() =>
      document.querySelector('.sidebar').getBoundingClientRect().bottom <= document.querySelector('.article h1').getBoundingClientRect().top);
    assert.ok(below, 'the folded sidebar sits above the article');
    await summary.click();
    assert.ok(await page.locator('.sidebar__list').isVisible());
    await screenshot(page, 'site-sidebar-phone', { fullPage: false });
  }, { viewport: { width: 375, height: 800 } });
});

test('the 404 page works at any depth under a sub-path, on a host that is not base-url', T, async () => {
  for (const missing of ['nope.html', 'guides/gone.html', 'a/b/c/d/deep/']) {
    const page = await newPage(browser);
    try {
      const response = await page.goto(new URL(missing, hosted.url).href, { waitUntil: 'load' });
      assert.equal(response.status(), 404);
      await settle(page);
      const state = await page.evaluate(() => ({
        h1: document.querySelector('h1').textContent,
        styled: getComputedStyle(document.querySelector('.site-header')).borderBottomStyle,
        home: document.querySelector('.not-found a').href,
        logo: document.querySelector('.site-logo').naturalWidth,
        nav: [...document.querySelectorAll('.site-nav a')].map((a) => a.href),
      }));
      const base = hosted.url; // http://127.0.0.1:<port>/docs/
      assert.deepEqual(state, {
        h1: 'Page not found',
        styled: 'solid',
        home: `${base}index.html`,
        logo: 32,
        nav: [`${base}guides/index.html`, `${base}billing/index.html`],
      });
      await page.locator('.not-found a').click();
      await page.waitForURL(`${base}index.html`);
      assert.equal(await page.textContent('h1'), 'How can we help?');
      // The missing page itself is the one request that fails: nothing the 404 page loads.
      const { consoleErrors, pageErrors, failedRequests } = page.problems();
      assert.deepEqual(failedRequests.map((r) => [r.resourceType, r.status, r.url]), [
        ['document', 404, new URL(missing, hosted.url).href],
      ]);
      assert.equal(consoleErrors.length, 1, JSON.stringify(consoleErrors));
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await screenshot(page, 'site-404-FAILED').catch(() => {});
      throw err;
    } finally {
      await page.dispose();
    }
  }
});

test('the 404 page opened from disk is styled and its links work', T, async () => {
  const page = await newPage(browser);
  try {
    await page.goto(fileUrl(build.dir, '404.html'), { waitUntil: 'load' });
    const state = await page.evaluate(() => ({
      styled: getComputedStyle(document.querySelector('.site-header')).borderBottomStyle,
      home: document.querySelector('.not-found a').href,
    }));
    assert.deepEqual(state, { styled: 'solid', home: fileUrl(build.dir, 'index.html') });
    await page.locator('.not-found a').click();
    await page.waitForURL(fileUrl(build.dir, 'index.html'));
    assert.equal(await page.textContent('h1'), 'How can we help?');
    // Chromium's preload scanner reads ahead with the page's own <base> (/docs/, right on a
    // host) before the page's script points it at its folder; only those guesses miss.
    const { failedRequests, pageErrors } = page.problems();
    assert.deepEqual(failedRequests.filter((r) => !r.url.startsWith('file:///docs/')), []);
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.dispose();
  }
});

test('the brand accent colours links and steps in light and dark; axe-core stays clean', T, async () => {
  for (const [scheme, accent] of [['light', 'rgb(15, 118, 110)'], ['dark', 'rgb(94, 234, 212)']]) {
    await withPage(`brand-${scheme}`, async (page) => {
      for (const rel of ['index.html', ARTICLE, 'tags/account.html']) {
        await page.goto(new URL(rel, server.url).href, { waitUntil: 'load' });
        await axe(page, `${rel} (${scheme})`);
      }
      const colours = await page.evaluate(() => ({
        logo: document.querySelector('.site-logo').getAttribute('src'),
        favicon: document.querySelector('link[rel="icon"]').getAttribute('href'),
        link: getComputedStyle(document.querySelector('.article-list__title')).color,
      }));
      assert.deepEqual(colours, { logo: '../logo.svg', favicon: '../logo.svg'.replace('logo', 'favicon'), link: accent });
      await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
      await page.locator('.step__tick').first().check();
      const step = await page.evaluate(() => ({
        border: getComputedStyle(document.querySelector('.step-anchor')).borderTopColor,
        done: getComputedStyle(document.querySelector('.step--done > .step-anchor')).backgroundColor,
      }));
      assert.deepEqual(step, { border: accent, done: accent });
      await axe(page, `${ARTICLE} with a ticked step (${scheme})`);
    }, { colorScheme: scheme });
  }
});

test('the print button prints', T, async () => {
  await withPage('print-button', async (page) => {
    await page.addInitScript(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
    await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
    await page.locator('.print-button').click();
    assert.equal(await page.evaluate(() => window.__printed), 1);
  });
  // Without the script it would do nothing, so it does not show.
  const page = await newPage(browser, { javaScriptEnabled: false });
  try {
    await page.goto(new URL(ARTICLE, server.url).href, { waitUntil: 'load' });
    assert.ok(await page.locator('.print-button').isHidden());
  } finally {
    await page.dispose();
  }
});
