// Reader-side branch points (content/write/branches.md): a radio group shows only the
// chosen option (or all of them), the choice goes in the URL fragment, stays
// in sync across branch points with the same options on the page and the
// site (localStorage), and a fragment naming anything inside an option opens
// the whole path to it. Without JavaScript and in print every option shows.
//
// Builds tests/browser/fixtures/branches with the real stepbook binary; run
// `cargo build` first (or set STEPBOOK_BIN).

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
  sharedWithPage(browser, 'branches', name, fn, contextOptions);

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'branches');
const axePath = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');
const ARTICLE = 'guides/link-a-verification-method.html';
const OTHER = 'guides/remove-a-verification-method.html';
const CONTACT = 'stepbook-branch:email phone'; // the storage key of the phone/email set
const T = { timeout: 120_000 };

let build;
let server;
let browser;
let articleUrl;
let otherUrl;

before(async () => {
  build = await buildSite(fixture);
  assert.equal(build.code, 0, `stepbook build failed\n${describeBuild(build)}`);
  server = await serveStatic(build.dir);
  articleUrl = new URL(ARTICLE, server.url).href;
  otherUrl = new URL(OTHER, server.url).href;
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
});

const byId = (id) => `[id="${id}"]`;
const radio = (point, key) => `input[name="${point}"][value="${key}"]`;

/** Ids of the options that show (laid out, not display: none), in page order. */
const openOptions = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.branch__option')]
      .filter((o) => o.getClientRects().length > 0)
      .map((o) => o.id),
  );

/** The checked key of each radio group, by group name. */
const checkedKeys = (page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.branch__choices')].map((g) => [
        g.querySelector('input').name,
        g.querySelector('input:checked')?.value ?? null,
      ]),
    ),
  );

const hash = (page) => page.evaluate(() => location.hash);
const stored = (page, key) => page.evaluate((k) => localStorage.getItem(k), key);

async function waitInViewport(page, id) {
  await page.waitForFunction((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
  }, id);
}

/** Press Tab until `selector` matches the focused element. */
async function tabTo(page, selector, { max = 200 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab x${max} never focused ${selector}`);
}

/** Visible text of the on-page contents, entries inside hidden options left out. */
const tocShown = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('aside.toc a[href^="#"]')]
      .filter((a) => a.getClientRects().length > 0)
      .map((a) => a.getAttribute('href')),
  );

test('before a choice no option shows; choosing one shows it, names it in the URL, and does not scroll', T, async () => {
  await withPage('choose', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    const opened = await openOptions(page);
    assert.deepEqual(opened, [], 'options show before any choice');
    const first = page.locator('.branch').first();
    assert.ok(await first.locator('.branch__choices').isVisible(), 'the radio group is still hidden');
    assert.equal((await first.locator('.branch__hint').textContent()).trim(), 'Choose the one that applies.');
    assert.ok(await first.locator('.branch__hint').isVisible());

    // Put the question in the middle of the viewport, then choose.
    await page.evaluate(() => {
      const q = document.getElementById('branch-1-q');
      window.scrollTo({ top: q.getBoundingClientRect().top + window.scrollY - 250, behavior: 'instant' });
    });
    assert.ok(await page.evaluate(() => window.scrollY > 100), 'the page did not scroll');
    const y = await page.evaluate(() => window.scrollY);
    await page.locator(radio('branch-1', 'email')).click();

    assert.deepEqual(await openOptions(page), ['email', 'email-2'], 'the other point with the same options follows');
    assert.ok(!(await first.locator('.branch__hint').isVisible()), 'the hint stays after a choice');
    assert.equal(await hash(page), '#email');
    assert.equal(await page.evaluate(() => window.scrollY), y, 'choosing scrolled the page');
    assert.equal(await page.locator('.step--highlight').count(), 0, 'choosing highlighted a step');
    assert.equal(await stored(page, CONTACT), 'email');
    // The chosen option's label is left for screen readers only; the radio names it.
    const label = await page.locator(`${byId('email')} > .branch__label`).boundingBox();
    assert.ok(label.width <= 1 && label.height <= 1, `the label shows: ${JSON.stringify(label)}`);
    await screenshot(page, 'branches-chosen', { fullPage: false });

    // Choosing another replaces the fragment again.
    await page.locator(radio('branch-1', 'phone')).click();
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);
    assert.equal(await hash(page), '#phone');
    assert.equal(await page.evaluate(() => window.scrollY), y);
    assert.equal(await page.evaluate(() => history.length), 2, 'choices must not add history entries');

    // "Show all" shows every option under its label, and back.
    const all = first.locator('.branch__all');
    await all.click();
    assert.equal(await all.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await openOptions(page), ['phone', 'email', 'phone-2']);
    const shownLabel = await page.locator(`${byId('email')} > .branch__label`).boundingBox();
    assert.ok(shownLabel.width > 20, 'labels stay hidden with "Show all"');
    await screenshot(page, 'branches-show-all', { fullPage: false });
    await all.click();
    assert.equal(await all.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);

    // Choosing while all show narrows to the choice, even the one already checked.
    await all.click();
    await page.locator(radio('branch-1', 'phone')).click();
    assert.equal(await all.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);
  });
});

test('a fragment naming a step three options deep opens the whole path and highlights the step', T, async () => {
  await withPage('deep-target', async (page) => {
    await page.goto(`${articleUrl}#clear-the-android-cache-step-3`, { waitUntil: 'load' });
    await page.waitForSelector(`${byId('clear-the-android-cache-step-3')}.step--highlight`);
    await waitInViewport(page, 'clear-the-android-cache-step-3');
    assert.deepEqual(await openOptions(page), ['sign-in', 'expired', 'android']);
    const keys = await checkedKeys(page);
    assert.equal(keys['branch-3'], 'sign-in');
    assert.equal(keys['branch-4'], 'expired');
    assert.equal(keys['branch-5'], 'android');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'clear-the-android-cache-step-3');
    await screenshot(page, 'branches-deep-target', { fullPage: false });

    // hashchange to a step in a sibling option switches the innermost choice.
    await page.evaluate(() => { location.hash = '#iphone-step-2'; });
    await page.waitForSelector(`${byId('iphone-step-2')}.step--highlight`);
    await waitInViewport(page, 'iphone-step-2');
    assert.deepEqual(await openOptions(page), ['sign-in', 'expired', 'iphone']);

    // A fragment naming an option itself chooses it and shows its question.
    await page.evaluate(() => { location.hash = '#after-sign-in'; });
    await page.waitForFunction(() => document.getElementById('after-sign-in').getClientRects().length > 0);
    assert.deepEqual(await openOptions(page), ['after-sign-in']);
    await waitInViewport(page, 'branch-3-q');
    assert.equal(await page.locator('.step--highlight').count(), 0);

    // A heading inside an option.
    await page.evaluate(() => { location.hash = '#link-an-email-address'; });
    await page.waitForFunction(() => document.getElementById('email').getClientRects().length > 0);
    await waitInViewport(page, 'link-an-email-address');
    assert.deepEqual(await openOptions(page), ['email', 'email-2', 'after-sign-in']);

    // Opening by fragment is not a remembered choice.
    assert.equal(await stored(page, CONTACT), null);
    assert.equal(await stored(page, 'stepbook-branch:after-sign-in sign-in'), null);
  });
});

test('a nested option named on load opens its parents too; options inside list steps work', T, async () => {
  await withPage('load-option', async (page) => {
    await page.goto(`${articleUrl}#wrong-password`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('wrong-password').getClientRects().length > 0);
    assert.deepEqual(await openOptions(page), ['sign-in', 'wrong-password']);
    // The question shows above the option, and stays there once the page settles.
    await waitInViewport(page, 'branch-4-q');
    await settle(page);
    await page.waitForTimeout(500);
    await waitInViewport(page, 'branch-4-q');
    await waitInViewport(page, 'wrong-password');

    await page.locator(radio('branch-6', 'pending')).click();
    assert.ok(await page.locator(byId('pending')).isVisible());
    assert.ok(!(await page.locator(byId('verified')).isVisible()));
    assert.ok(await page.locator(byId('finish-step-3')).isVisible(), 'the step after the branch point hid');
    assert.equal(await hash(page), '#pending');
  });
});

test('choices sync across branch points on the page and across the site', T, async () => {
  await withPage('sync', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    await page.locator(radio('branch-2', 'phone')).check();
    assert.equal(await hash(page), '#phone-2');
    assert.equal((await checkedKeys(page))['branch-1'], 'phone');
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);

    await page.goto(otherUrl, { waitUntil: 'load' });
    assert.deepEqual(await openOptions(page), ['phone']);
    assert.equal((await checkedKeys(page))['branch-1'], 'phone');
    assert.ok(!(await page.locator('.branch__hint').isVisible()), 'the hint shows over a remembered choice');

    await page.locator(radio('branch-1', 'email')).check();
    await page.goto(articleUrl, { waitUntil: 'load' });
    assert.deepEqual(await openOptions(page), ['email', 'email-2']);
    const keys = await checkedKeys(page);
    assert.equal(keys['branch-1'], 'email');
    assert.equal(keys['branch-2'], 'email');
    assert.equal(keys['branch-3'], null, 'an unrelated branch point was chosen');
  });
});

test('the choice is remembered after a reload; the URL wins over it', T, async () => {
  await withPage('remember', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    await page.locator(radio('branch-3', 'after-sign-in')).check();
    await page.reload({ waitUntil: 'load' });
    assert.deepEqual(await openOptions(page), ['after-sign-in']);

    await page.goto(articleUrl, { waitUntil: 'load' }); // no fragment: from localStorage
    assert.equal(await hash(page), '');
    assert.deepEqual(await openOptions(page), ['after-sign-in']);
    assert.equal((await checkedKeys(page))['branch-3'], 'after-sign-in');

    await page.goto(`${articleUrl}#expired`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('expired').getClientRects().length > 0);
    assert.deepEqual(await openOptions(page), ['sign-in', 'expired']);
    assert.equal(await stored(page, 'stepbook-branch:after-sign-in sign-in'), 'after-sign-in');
  });
});

test('keyboard only: Tab into the radio group, arrows choose, Space and Enter toggle "Show all"', T, async () => {
  await withPage('keyboard', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    await tabTo(page, 'input[name="branch-1"]');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'phone');
    // The focus ring is drawn round the whole choice.
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement.closest('.branch__choice'));
      return `${s.outlineStyle} ${s.outlineWidth}`;
    });
    assert.match(ring, /^solid [1-9]/, `no visible focus: ${ring}`);

    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'email');
    assert.deepEqual(await openOptions(page), ['email', 'email-2']);
    assert.equal(await hash(page), '#email');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);
    assert.equal(await stored(page, CONTACT), 'phone');
    await screenshot(page, 'branches-keyboard', { fullPage: false });

    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement.matches('.branch__all')), 'Tab skipped "Show all"');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Space');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-pressed')), 'true');
    assert.deepEqual(await openOptions(page), ['phone', 'email', 'phone-2']);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-pressed')), 'false');
    assert.deepEqual(await openOptions(page), ['phone', 'phone-2']);
  });
});

test('on-page contents leave out entries inside hidden options', T, async () => {
  await withPage('toc', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    const everything = ['#before-you-start', '#link-a-phone-number', '#link-an-email-address',
      '#confirm-the-method', '#troubleshooting', '#clear-the-android-cache', '#finish'];
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll('aside.toc a')].map((a) => a.getAttribute('href'))),
      everything,
      'the fixture no longer has headings inside options',
    );
    assert.deepEqual(await tocShown(page), ['#before-you-start', '#confirm-the-method', '#troubleshooting', '#finish']);

    await page.locator(radio('branch-1', 'phone')).check();
    assert.deepEqual(await tocShown(page),
      ['#before-you-start', '#link-a-phone-number', '#confirm-the-method', '#troubleshooting', '#finish']);
    await page.locator(radio('branch-2', 'email')).check(); // synced back to branch 1
    assert.deepEqual(await tocShown(page),
      ['#before-you-start', '#link-an-email-address', '#confirm-the-method', '#troubleshooting', '#finish']);

    await page.locator('.branch').first().locator('.branch__all').click();
    assert.deepEqual(await tocShown(page), everything.filter((h) => h !== '#clear-the-android-cache'));

    // Three options deep: shown only while the whole path is open.
    await page.locator(radio('branch-3', 'sign-in')).check();
    await page.locator(radio('branch-4', 'expired')).check();
    await page.locator(radio('branch-5', 'android')).check();
    assert.deepEqual(await tocShown(page), everything);
    await page.locator(radio('branch-4', 'wrong-password')).check();
    assert.ok(!(await tocShown(page)).includes('#clear-the-android-cache'));
    await page.locator('.branch__all').nth(3).click(); // "Which message shows?": all
    assert.deepEqual(await tocShown(page), everything);
  });
});

test('each procedure counts its own steps, including a procedure inside an option', T, async () => {
  await withPage('tick-count', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    // The first step of every procedure the reader can see, with its procedure's size.
    const firsts = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.article-body ol.steps')]
          .filter((l) => !l.parentElement.closest('.step') && l.getClientRects().length > 0)
          .map((l) => ({ id: l.querySelector(':scope > .step[id]').id, size: l.querySelectorAll(':scope > .step').length })),
      );
    const count = (id) =>
      page.locator(`[id="${id}"]`).evaluate((s) => s.parentElement.nextElementSibling.querySelector('.step-progress__count').textContent);
    const before = await firsts();
    await page.locator(`[id="${before[0].id}"] > .step-tick .step__tick`).check();
    assert.equal(await count(before[0].id), `1 of ${before[0].size} step${before[0].size === 1 ? '' : 's'} done`);

    // Choosing an option shows its procedure, which counts on its own.
    await page.locator(radio('branch-1', 'phone')).check();
    const after = await firsts();
    const added = after.filter((p) => !before.some((b) => b.id === p.id));
    assert.ok(added.length > 0, 'the option holds no procedure of its own');
    await page.locator(`[id="${added[0].id}"] > .step-tick .step__tick`).check();
    assert.equal(await count(added[0].id), `1 of ${added[0].size} step${added[0].size === 1 ? '' : 's'} done`);
    assert.equal(await count(before[0].id), `1 of ${before[0].size} step${before[0].size === 1 ? '' : 's'} done`);
  });
});

test('in print and without JavaScript every option shows under its label, and no radio group', T, async () => {
  const everyOption = ['phone', 'email', 'phone-2', 'email-2', 'sign-in', 'expired', 'android', 'iphone',
    'wrong-password', 'after-sign-in', 'verified', 'pending'];
  const check = async (page, where) => {
    assert.deepEqual(await openOptions(page), everyOption, `${where}: not every option shows`);
    const state = await page.evaluate(() => ({
      groups: [...document.querySelectorAll('.branch__choices, .branch__hint')]
        .filter((g) => g.getClientRects().length > 0).length,
      labels: [...document.querySelectorAll('.branch__label')]
        .filter((l) => l.getBoundingClientRect().width > 20).length,
      toc: [...document.querySelectorAll('aside.toc li')].filter((li) => li.hidden).length,
    }));
    assert.equal(state.groups, 0, `${where}: a radio group or hint shows`);
    assert.equal(state.labels, everyOption.length, `${where}: an option shows without its label`);
    return state;
  };

  await withPage('print', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    await page.locator(radio('branch-1', 'phone')).check();
    await page.emulateMedia({ media: 'print' });
    await check(page, 'print');
  });

  await withPage('no-js', async (page) => {
    await page.goto(articleUrl, { waitUntil: 'load' });
    const state = await check(page, 'without JavaScript');
    assert.equal(state.toc, 0);
    await screenshot(page, 'branches-no-js');
  }, { javaScriptEnabled: false });
});

for (const scheme of ['light', 'dark']) {
  test(`axe-core finds no violations (${scheme})`, T, async () => {
    await withPage(`axe-${scheme}`, async (page) => {
      await page.goto(articleUrl, { waitUntil: 'load' });
      await page.addScriptTag({ path: axePath });
      // Wait for fades and the step flash to end: axe samples colours as painted.
      const run = () => page.evaluate(async () => {
        await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})));
        const result = await window.axe.run(document);
        return result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
        }));
      });
      assert.deepEqual(await run(), [], 'before a choice');

      // A choice on every point, then every option showing.
      await page.locator(radio('branch-1', 'phone')).check();
      await page.locator(radio('branch-6', 'pending')).check();
      await page.evaluate(() => { location.hash = '#clear-the-android-cache-step-2'; });
      await page.waitForSelector('.step--highlight');
      await page.locator(radio('branch-5', 'android')).focus(); // a focused choice too
      await page.keyboard.press('ArrowRight');
      assert.deepEqual(await run(), [], 'after choosing');
      for (const button of await page.locator('.branch__all').all()) await button.click();
      assert.deepEqual(await run(), [], 'with "Show all"');
    }, { colorScheme: scheme });
  });
}

test('from disk, without localStorage: choosing works and nothing throws', T, async () => {
  const page = await newPage(browser);
  try {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() { throw new DOMException('denied', 'SecurityError'); },
        configurable: true,
      });
    });
    const url = fileUrl(build.dir, ARTICLE);
    await page.goto(`${url}#iphone-step-1`, { waitUntil: 'load' });
    await settle(page);
    await page.waitForSelector(`${byId('iphone-step-1')}.step--highlight`);
    assert.deepEqual(await openOptions(page), ['sign-in', 'expired', 'iphone']);
    await page.locator(radio('branch-1', 'email')).check();
    assert.deepEqual(await openOptions(page), ['email', 'email-2', 'sign-in', 'expired', 'iphone']);
    assert.equal(await hash(page), '#email');
    assertNoProblems(page, url);
  } catch (err) {
    await screenshot(page, 'branches-file-FAILED').catch(() => {});
    throw err;
  } finally {
    await page.dispose();
  }
});

test('screenshots: 1280 and 390 wide, light and dark', T, async () => {
  for (const width of [1280, 390]) {
    for (const scheme of ['light', 'dark']) {
      await withPage(`shot-${width}-${scheme}`, async (page) => {
        await page.goto(articleUrl, { waitUntil: 'load' });
        await page.locator(radio('branch-1', 'phone')).check();
        await page.locator(radio('branch-3', 'sign-in')).check();
        await page.locator(radio('branch-4', 'expired')).check();
        await page.locator(radio('branch-5', 'android')).check();
        await page.locator('.branch__all').nth(1).click(); // "Confirm the method": every option
        await page.evaluate(async () => {
          document.activeElement.blur();
          await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})));
        });
        await screenshot(page, `branches-${width}-${scheme}`);
      }, { viewport: { width, height: 900 }, colorScheme: scheme });
    }
  }
});
