// Reader-side step features (content/write/write-a-procedure.md): opening a step's URL scrolls to
// it and highlights it, each step has a "Copy link" button, and readers can
// tick steps as done (kept per article in localStorage, with a reset).
//
// Builds tests/browser/fixtures/steps (the reference TikTok MFA article) with
// the real stepbook binary; run `cargo build` first (or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  assertNoProblems,
  withPage as sharedWithPage,
  buildSite,
  describeBuild,
  fileUrl,
  launchBrowser,
  newPage,
  screenshot,
  serveStatic,
  settle,
} from './harness.mjs';

const withPage = (name, fn, contextOptions) =>
  sharedWithPage(browser, 'steps', name, fn, contextOptions);

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'steps');
const ARTICLE = 'guides/turn-on-mfa-in-tiktok-manually.html';
const T = { timeout: 120_000 };

let build;
let server;
let browser;
let articleUrl;
let origin;

before(async () => {
  build = await buildSite(fixture);
  assert.equal(build.code, 0, `stepbook build failed\n${describeBuild(build)}`);
  server = await serveStatic(build.dir);
  articleUrl = new URL(ARTICLE, server.url).href;
  origin = new URL(server.url).origin;
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
});

/** `#id` selectors break on ids starting with a digit; this does not. */
const byId = (id) => `[id="${id}"]`;

async function grantClipboard(page) {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
}

/** Wait until the element is fully inside the viewport. */
async function waitInViewport(page, id) {
  await page.waitForFunction((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
  }, id);
}

const highlighted = (page) =>
  page.evaluate(() => [...document.querySelectorAll('.step--highlight')].map((s) => s.id));

const storedTicks = (page) =>
  page.evaluate(() => localStorage.getItem('stepbook-ticks:' + location.pathname));

/** Press Tab (or Shift+Tab) until `selector` matches the focused element. */
async function tabTo(page, selector, { key = 'Tab', max = 400 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const hit = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (hit) return page.evaluate(() => document.activeElement.closest('.step')?.id ?? null);
  }
  throw new Error(`${key} x${max} never focused ${selector}`);
}

test('opening a step URL scrolls to the step, highlights and focuses it; hashchange moves the highlight', T, async () => {
  await withPage('target', async (page) => {
    await page.goto(`${articleUrl}#phone-number-1-step-4`, { waitUntil: 'load' });
    await page.waitForSelector(`${byId('phone-number-1-step-4')}.step--highlight`);
    await waitInViewport(page, 'phone-number-1-step-4');
    assert.deepEqual(await highlighted(page), ['phone-number-1-step-4']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'phone-number-1-step-4');
    // It is the one place a copy button shows without hover or focus inside.
    await screenshot(page, 'steps-target', { fullPage: false });

    await page.evaluate(() => { location.hash = '#turn-off-mfa-step-3'; });
    await page.waitForSelector(`${byId('turn-off-mfa-step-3')}.step--highlight`);
    await waitInViewport(page, 'turn-off-mfa-step-3');
    assert.deepEqual(await highlighted(page), ['turn-off-mfa-step-3']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'turn-off-mfa-step-3');

    // A fragment that names a heading scrolls there and clears the step highlight.
    await page.evaluate(() => { location.hash = '#requirements'; });
    await page.waitForFunction(() => !document.querySelector('.step--highlight'));
    await waitInViewport(page, 'requirements');
  });
});

test('with reduced motion, a hashchange jumps to the step at once', T, async () => {
  await withPage('target-reduced-motion', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    const inView = await page.evaluate(() => new Promise((resolve) => {
      location.hash = '#turn-off-mfa-step-9';
      requestAnimationFrame(() => {
        const r = document.getElementById('turn-off-mfa-step-9').getBoundingClientRect();
        resolve(r.top >= 0 && r.bottom <= innerHeight);
      });
    }));
    assert.ok(inView, 'the step is not in view in the first frame after the hashchange');
  }, { reducedMotion: 'reduce' });
});

test('revealTarget opens a closed <details> around the target', T, async () => {
  await withPage('reveal-details', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    // Wrap a step list in a closed <details>, as a collapsed block would.
    await page.evaluate(() => {
      const list = document.getElementById('email-1-step-1').parentElement;
      const details = document.createElement('details');
      details.innerHTML = '<summary>More</summary>';
      list.before(details);
      details.append(list);
    });
    await page.evaluate(() => { location.hash = '#email-1-step-5'; });
    await page.waitForSelector(`${byId('email-1-step-5')}.step--highlight`);
    assert.ok(await page.evaluate(() => document.querySelector('details').open), '<details> stayed closed');
    await waitInViewport(page, 'email-1-step-5');
  });
});

test('"Copy link" puts the step URL on the clipboard and confirms it', T, async () => {
  await withPage('copy', async (page) => {
    await grantClipboard(page);
    await page.goto(articleUrl, { waitUntil: 'load' });
    const button = page.locator(`${byId('phone-number-step-2')} .step-copy`).first();
    assert.equal(await button.evaluate((b) => b.tagName + ' ' + b.type), 'BUTTON button');
    assert.equal(
      (await button.evaluate((b) => b.closest('.step').id)),
      'phone-number-step-2',
      'the button belongs to another step',
    );
    assert.match(
      await button.evaluate((b) => b.textContent.replace(/\s+/g, ' ').trim()),
      /^Copy link to step 2$/,
    );
    assert.equal(await button.evaluate((b) => getComputedStyle(b).opacity), '0', 'shown without hover');

    await button.hover();
    await page.waitForFunction((b) => getComputedStyle(b).opacity === '1', await button.elementHandle());
    await button.click();

    await page.waitForFunction(() =>
      /Link to step 2 copied/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''),
    );
    assert.match(await button.textContent(), /Link copied/);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(
      copied.endsWith(`${ARTICLE}#phone-number-step-2`),
      `clipboard holds ${JSON.stringify(copied)}`,
    );
    assert.equal(copied, `${articleUrl}#phone-number-step-2`);
    assert.equal(page.url(), articleUrl, 'copying must not change the URL');
    await screenshot(page, 'steps-copied', { fullPage: false });
    // The confirmation goes back to "Copy link".
    await page.waitForFunction((b) => /^Copy link/.test(b.textContent), await button.elementHandle(), {
      timeout: 5_000,
    });
  });
});

test('each procedure counts its own ticks; they survive a reload, and its reset clears only them', T, async () => {
  await withPage('ticks', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    // A procedure is a list of steps that is not inside another step; sub-steps get no box.
    const procedures = await page.evaluate(() =>
      [...document.querySelectorAll('.article-body ol.steps')]
        .filter((l) => !l.parentElement.closest('.step'))
        .map((l) => [...l.children].filter((s) => s.matches('.step[id]')).map((s) => s.id)),
    );
    const topLevel = procedures.flat();
    assert.ok(procedures.length > 3, 'the fixture has several procedures');
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll('.step__tick')].map((b) => b.closest('.step').id)),
      topLevel,
      'one tick box per step of a procedure, none for sub-steps',
    );
    // One progress line right after each procedure, hidden while nothing in it is ticked.
    assert.equal(await page.locator('.step-progress').count(), procedures.length);
    assert.equal(await page.locator('.step-progress:not([hidden])').count(), 0);

    const tick = (id) => page.locator(`${byId(id)} > .step-tick .step__tick`);
    const barOf = (id) =>
      page.locator(byId(id)).evaluate((s) => {
        const bar = s.parentElement.nextElementSibling;
        return bar.matches('.step-progress') && !bar.hidden ? bar.querySelector('.step-progress__count').textContent : null;
      });
    const email = procedures.find((p) => p.includes('email-step-3'));
    const off = procedures.find((p) => p.includes('turn-off-mfa-step-10'));
    assert.equal(
      await tick('email-step-3').evaluate((b) => b.labels[0].textContent.trim()),
      'Mark step 3 as done',
    );
    await tick('email-step-3').check();
    await page.locator(`${byId('turn-off-mfa-step-10')} > .step-tick`).click(); // the label works too
    await tick('turn-off-mfa-step-9').check();
    assert.ok(await tick('turn-off-mfa-step-10').isChecked());
    assert.deepEqual(
      JSON.parse(await storedTicks(page)).sort(),
      ['email-step-3', 'turn-off-mfa-step-10', 'turn-off-mfa-step-9'],
    );
    assert.equal(await barOf('email-step-3'), `1 of ${email.length} steps done`);
    assert.equal(await barOf('turn-off-mfa-step-10'), `2 of ${off.length} steps done`);
    assert.equal(await page.locator('.step-progress:not([hidden])').count(), 2, 'untouched procedures show no count');

    // A ticked step keeps its number, readable, and the box covers none of its text.
    const done = await page.locator(byId('email-step-3')).evaluate((s) => {
      const badge = s.querySelector(':scope > .step-anchor');
      const box = s.querySelector(':scope > .step-tick').getBoundingClientRect();
      const body = s.querySelector(':scope > .step__body');
      const range = document.createRange();
      range.selectNodeContents(body);
      const overlaps = [...range.getClientRects()].some(
        (r) => r.width > 0 && r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom,
      );
      return { number: badge.textContent, color: getComputedStyle(badge).color, overlaps };
    });
    assert.equal(done.number, '3');
    assert.notEqual(done.color, 'rgba(0, 0, 0, 0)');
    assert.equal(done.overlaps, false, 'the tick box covers the step text');
    // The count sits in the flow under its procedure: it floats over nothing.
    assert.equal(
      await page.locator('.step-progress:not([hidden])').first().evaluate((b) => getComputedStyle(b).position),
      'static',
    );

    await page.reload({ waitUntil: 'load' });
    assert.ok(await tick('email-step-3').isChecked(), 'tick lost on reload');
    assert.ok(await tick('turn-off-mfa-step-10').isChecked(), 'tick lost on reload');
    assert.equal(await page.locator('.step__tick:checked').count(), 3);
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll('.step--done')].map((s) => s.id)),
      ['email-step-3', 'turn-off-mfa-step-9', 'turn-off-mfa-step-10'],
    );
    assert.equal(await barOf('turn-off-mfa-step-10'), `2 of ${off.length} steps done`);
    await screenshot(page, 'steps-ticked');

    // Unticking updates the stored list.
    await tick('email-step-3').uncheck();
    assert.deepEqual(JSON.parse(await storedTicks(page)).sort(), ['turn-off-mfa-step-10', 'turn-off-mfa-step-9']);
    assert.ok(!(await page.locator(byId('email-step-3')).evaluate((s) => s.classList.contains('step--done'))));

    // A procedure's reset clears its own ticks only.
    await tick('email-step-3').check();
    await page.locator(byId('turn-off-mfa-step-10')).evaluate((s) => s.parentElement.nextElementSibling.querySelector('.step-progress__reset').click());
    assert.deepEqual(JSON.parse(await storedTicks(page)), ['email-step-3']);
    await page.locator(byId('email-step-3')).evaluate((s) => s.parentElement.nextElementSibling.querySelector('.step-progress__reset').click());
    assert.equal(await page.locator('.step__tick:checked').count(), 0);
    assert.equal(await page.locator('.step--done').count(), 0);
    assert.equal(await storedTicks(page), null, 'the localStorage entry survived the reset');
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.locator('.step__tick:checked').count(), 0);
  });
});

test('keyboard only: copy a link, tick a step, reset', T, async () => {
  await withPage('keyboard', async (page) => {
    await grantClipboard(page);
    await page.goto(articleUrl, { waitUntil: 'load' });

    const stepId = await tabTo(page, '.step-copy');
    assert.ok(stepId, 'the focused copy button is not inside a step');
    // Shown and visibly focused.
    await page.waitForFunction(() => getComputedStyle(document.activeElement).opacity === '1');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /copied/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${articleUrl}#${stepId}`);

    const tickedId = await tabTo(page, '.step__tick');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Space');
    assert.ok(await page.evaluate(() => document.activeElement.checked), 'Space did not tick the box');
    assert.ok(await page.locator(byId(tickedId)).evaluate((s) => s.classList.contains('step--done')));
    assert.deepEqual(JSON.parse(await storedTicks(page)), [tickedId]);

    await tabTo(page, '.step-progress__reset');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.step__tick:checked').count(), 0);
    assert.equal(await storedTicks(page), null);
    // Focus stays on the reset button rather than falling back to <body>.
    assert.ok(await page.evaluate(() => document.activeElement.matches('.step-progress__reset')));
  });
});

test('tick boxes, copy buttons and the reset bar do not print', T, async () => {
  await withPage('print', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    await page.locator(`${byId('phone-number-step-1')} .step__tick`).check();
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() =>
      ['.step-tick', '.step__tick', '.step-copy', '.step-progress']
        .flatMap((sel) => [...document.querySelectorAll(sel)].map((el) => [sel, el]))
        .filter(([, el]) => getComputedStyle(el).display !== 'none' && el.getClientRects().length)
        .map(([sel]) => sel),
    );
    assert.equal(
      await page.evaluate(() => document.querySelectorAll('.step-tick, .step-copy').length > 0),
      true,
      'nothing was injected',
    );
    assert.deepEqual([...new Set(shown)], [], 'these print');
    // A ticked step prints its number, not a check mark.
    const badge = await page.locator(`${byId('phone-number-step-1')} > .step-anchor`).evaluate((a) => ({
      color: getComputedStyle(a).color,
      after: getComputedStyle(a, '::after').content,
    }));
    assert.equal(badge.after, 'none');
    assert.notEqual(badge.color, 'rgba(0, 0, 0, 0)');
  });
});

test('from disk, without clipboard API or localStorage: no errors, copy falls back, ticks still work', T, async () => {
  const page = await newPage(browser);
  try {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
      Object.defineProperty(window, 'localStorage', {
        get() { throw new DOMException('denied', 'SecurityError'); },
        configurable: true,
      });
    });
    const url = fileUrl(build.dir, ARTICLE);
    await page.goto(`${url}#email-step-2`, { waitUntil: 'load' });
    await settle(page);
    await page.waitForSelector(`${byId('email-step-2')}.step--highlight`);

    const button = page.locator(`${byId('email-step-2')} .step-copy`).first();
    await button.click();
    await page.waitForFunction(() => /cop(y|ied)/i.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    // execCommand('copy') from a hidden textarea; focus comes back to the button.
    assert.match(await button.textContent(), /Link copied/);
    assert.ok(await button.evaluate((b) => document.activeElement === b), 'focus left the button');
    assert.equal(await page.locator('textarea').count(), 0, 'the helper textarea was left behind');

    const tick = page.locator(`${byId('email-step-4')} .step__tick`);
    await tick.check();
    assert.ok(await page.locator(byId('email-step-4')).evaluate((s) => s.classList.contains('step--done')));
    await page.locator('.step-progress:not([hidden]) .step-progress__reset').click();
    assert.ok(!(await tick.isChecked()));
    assertNoProblems(page, url);
  } catch (err) {
    await screenshot(page, 'steps-file-FAILED').catch(() => {});
    throw err;
  } finally {
    await page.dispose();
  }
});
