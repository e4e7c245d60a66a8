// Search finds every word at its deepest unit (docs/search-index.md), in headless Chromium
// over the fixture `fixtures/search-units`: a warning after the steps of a long section is
// found at its section; words inside a branch option nested in a step land on that option,
// which opens (with the option around it) when the result is followed, over HTTP and from
// disk; a link written without text is indexed and shown with the text the reader sees.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import {
  withPage as sharedWithPage,
  buildSite,
  describeBuild,
  fileUrl,
  launchBrowser,
  serveStatic,
  settle,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGE = 'account/sign-in-with-a-code.html';
const T = { timeout: 120_000 };

let site;
let server;
let browser;

const withPage = (name, fn) => sharedWithPage(browser, 'search-units', name, fn);

before(async () => {
  site = await buildSite(path.join(here, 'fixtures', 'search-units'));
  assert.equal(site.code, 0, describeBuild(site));
  server = await serveStatic(site.dir);
  browser = await launchBrowser();
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await site?.cleanup();
});

/** Type `q` into the search box; resolves to the results: {href, text, marks} of each. */
async function results(page, q) {
  await page.locator('.search input').fill('');
  await page.locator('.search input').focus();
  await page.keyboard.type(q);
  await page.waitForFunction((query) => document.querySelector('.search')?.getAttribute('data-query') === query, q);
  await settle(page);
  return page.evaluate(() => [...document.querySelectorAll('.search [role="option"]')].map((o) => ({
    href: o.getAttribute('href'),
    title: o.querySelector('.search__title')?.textContent ?? '',
    text: o.querySelector('.search__text')?.textContent ?? '',
    marks: [...o.querySelectorAll('.search__text mark')].map((m) => m.textContent),
  })));
}

test('a warning after the steps of a long section is found at that section, in context', T, async () => {
  await withPage('section', async (page) => {
    await page.goto(new URL(PAGE, server.url).href);
    await settle(page);
    const hits = await results(page, 'quarantine');
    assert.equal(hits[0].href, `../${PAGE}?highlight=quarantine#get-a-code`);
    assert.equal(hits[0].title, 'Get a code');
    assert.match(hits[0].text, /ten minutes: quarantine any message/);
    assert.deepEqual(hits[0].marks, ['quarantine']);
    await Promise.all([page.waitForURL(/#get-a-code$/), page.keyboard.press('Enter')]);
    await settle(page);
    const mark = page.locator('.callout mark.search-hit');
    assert.equal(await mark.textContent(), 'quarantine');
    assert.ok(await mark.isVisible());
  });
});

/** Search for words inside the nested option, follow the first result, check what shows. */
async function openNestedOption(page, start) {
  await page.goto(start);
  await settle(page);
  const hits = await results(page, 'resend call');
  assert.match(hits[0].href, /sign-in-with-a-code\.html\?highlight=[^#]+#by-voice$/);
  assert.equal(hits[0].title, 'Get a code › Step 2 › No › By voice call');
  assert.deepEqual(hits[0].marks, ['Resend', 'call']);
  assert.ok(!hits.some((h) => h.href.endsWith('#get-a-code-step-2')), JSON.stringify(hits));
  await Promise.all([page.waitForURL(/#by-voice$/), page.keyboard.press('Enter')]);
  await settle(page);
  const state = await page.evaluate(() => {
    const target = document.getElementById('by-voice');
    const rect = target.getBoundingClientRect();
    return {
      open: ['no-code', 'by-voice'].map((id) => document.getElementById(id).classList.contains('branch__option--open')),
      closed: ['code-arrived', 'by-text'].map((id) => document.getElementById(id).classList.contains('branch__option--open')),
      inView: rect.top >= 0 && rect.top < window.innerHeight,
      marks: [...target.querySelectorAll('mark.search-hit')].map((m) => m.textContent),
    };
  });
  assert.deepEqual(state.open, [true, true], 'the option and the option around it open');
  assert.deepEqual(state.closed, [false, false]);
  assert.ok(state.inView, 'the option is scrolled into view');
  assert.ok(state.marks.includes('Resend') && state.marks.includes('call'), JSON.stringify(state.marks));
  assert.ok(await page.locator('#by-voice').isVisible());
}

test('words inside a nested option land on that option, which opens with its parents (HTTP)', T, async () => {
  await withPage('option-http', (page) => openNestedOption(page, new URL('account/reset-password.html', server.url).href));
});

test('words inside a nested option land on that option, which opens with its parents (file://)', T, async () => {
  await withPage('option-file', (page) => openNestedOption(page, fileUrl(site.dir, 'account/reset-password.html')));
});

test('a link written without text is searchable and shown with its filled text', T, async () => {
  await withPage('link', async (page) => {
    await page.goto(new URL(PAGE, server.url).href);
    await settle(page);
    const hits = await results(page, 'forgot locked');
    assert.equal(hits[0].href, `../${PAGE}?highlight=forgot+locked#get-a-code-step-3`);
    assert.equal(hits[0].text, 'Read Forgot your password when you are locked out.');
    assert.deepEqual(hits[0].marks, ['Forgot', 'locked']);
  });
});
