// Languages (content/write/languages.md): the language switcher keeps the reader's place
// (the fragment, and with it the branch option they chose), and each language searches
// its own index, stemmed, so that a German word finds its other forms.
//
// Builds tests/fixtures/languages (the CLI tests' fixture) with the real stepbook binary;
// run `cargo build` first (or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  withPage as sharedWithPage,
  buildSite,
  describeBuild,
  launchBrowser,
  serveStatic,
  settle,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, '..', 'fixtures', 'languages');
const T = { timeout: 120_000 };

let build;
let server;
let browser;

const withPage = (name, fn) => sharedWithPage(browser, 'languages', name, fn);

before(async () => {
  build = await buildSite(fixture);
  assert.equal(build.code, 0, `stepbook build failed\n${describeBuild(build)}`);
  server = await serveStatic(build.dir);
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
});

const url = (rel) => new URL(rel, server.url).href;

/** A step's own text, without the buttons the script adds to it. */
const stepText = (page, id) =>
  page.evaluate((id) => {
    const body = document.getElementById(id).querySelector('.step__body').cloneNode(true);
    body.querySelectorAll('button, label').forEach((b) => b.remove());
    return body.textContent;
  }, id);

/** Ids of the branch options that show, in page order. */
const openOptions = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.branch__option')]
      .filter((o) => o.getClientRects().length > 0)
      .map((o) => o.id),
  );

test('the switcher keeps the fragment of a step', T, async () => {
  await withPage('step', async (page) => {
    await page.goto(url('billing/download-invoices.html#from-the-web-app-step-3'));
    await settle(page);
    await page.click('.lang-switch a[hreflang="de"]');
    await page.waitForURL(/\/de\/billing\/download-invoices\.html#/);
    assert.equal(new URL(page.url()).hash, '#from-the-web-app-step-3');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    // The fragment names the same step, in German.
    assert.equal(
      await stepText(page, 'from-the-web-app-step-3'),
      'Klicken Sie auf Herunterladen.',
    );
  });
});

test('the switcher opens the branch option the reader chose', T, async () => {
  await withPage('branch', async (page) => {
    await page.goto(url('billing/download-invoices.html'));
    await settle(page);
    await page.click('input[name="branch-1"][value="business"]');
    assert.deepEqual(await openOptions(page), ['business']);
    assert.equal(new URL(page.url()).hash, '#business');
    await page.click('.lang-switch a[hreflang="de"]');
    await page.waitForURL(/\/de\/billing\/download-invoices\.html#business$/);
    await settle(page);
    assert.deepEqual(await openOptions(page), ['business']);
    assert.equal(
      await page.isChecked('input[name="branch-1"][value="business"]'),
      true,
    );
    assert.equal(
      await stepText(page, 'business-step-4'),
      'Öffnen Sie den Tab Rechnungen.',
    );
    // Back to English, the other way round, with the German labels' choice.
    await page.click('input[name="branch-1"][value="free"]');
    await page.click('.lang-switch a[hreflang="en"]');
    await page.waitForURL(/\/billing\/download-invoices\.html#free$/);
    await settle(page);
    assert.deepEqual(await openOptions(page), ['free']);
  });
});

test('a page without a translation offers the language home', T, async () => {
  await withPage('home', async (page) => {
    await page.goto(url('billing/refunds.html#steps-step-2'));
    await settle(page);
    await page.click('.lang-switch a[hreflang="de"]');
    await page.waitForURL((u) => u.pathname.endsWith('/de/index.html'));
    assert.equal(new URL(page.url()).hash, '');
  });
});

/** Types `q` into the header search box and returns the hrefs of the results. */
async function search(page, q) {
  await page.locator('.search input').fill('');
  await page.locator('.search input').focus();
  await page.keyboard.type(q);
  await page.waitForFunction(
    (query) => document.querySelector('.search')?.getAttribute('data-query') === query,
    q,
  );
  await settle(page);
  return page.evaluate(() =>
    [...document.querySelectorAll('.search [role="option"]')].map((o) => o.getAttribute('href')),
  );
}

test('a German query finds a German page through stemming', T, async () => {
  await withPage('search', async (page) => {
    await page.goto(url('de/billing/download-invoices.html'));
    await settle(page);
    // The theme's own words are German too.
    assert.equal(
      await page.textContent('[id="from-the-web-app-step-1"] .step-copy'),
      'Link kopieren zu Schritt 1',
    );
    // The page says "Abrechnung" only: the stemmer meets "Abrechnungen" at its stem.
    const hits = await search(page, 'Abrechnungen');
    assert.ok(hits.length > 0, 'no results for Abrechnungen');
    assert.ok(
      hits.every((h) => h.startsWith('../../de/billing/download-invoices.html')),
      `every result is the German page: ${JSON.stringify(hits)}`,
    );
    // The reader's language only: the English words are not in the German index.
    assert.deepEqual(await search(page, 'refund'), []);
  });
});

test('the English pages search the English index', T, async () => {
  await withPage('english', async (page) => {
    await page.goto(url('billing/download-invoices.html'));
    await settle(page);
    assert.deepEqual(await search(page, 'Abrechnungen'), []);
    const hits = await search(page, 'invoices');
    assert.ok(
      hits.some((h) => h.startsWith('../billing/download-invoices.html')),
      `the English page: ${JSON.stringify(hits)}`,
    );
  });
});
