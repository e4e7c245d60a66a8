// The search box in headless Chromium (content/publish/search.md): lazy loading of the index, results
// grouped by article with breadcrumbs and <mark>ed words, the ARIA combobox and its keys
// (`/`, arrows, Enter, Escape), the no-results state, highlighted words on the page a result
// opens, a result inside a branch option, file://, 320 px, dark mode, axe-core.
//
// Builds the bundled site and a site with the reference article and the branch fixture,
// with the real stepbook binary (`cargo build` first, or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  withPage as sharedWithPage,
  buildSite,
  describeBuild,
  fileUrl,
  launchBrowser,
  repoRoot,
  screenshot,
  serveStatic,
  settle,
} from './harness.mjs';
import { backupNotes, makeIndex, restoreNotes, writeIndex } from './search-helpers.mjs';

const withPage = (name, fn, contextOptions) =>
  sharedWithPage(browser, 'search', name, fn, contextOptions);

const here = path.dirname(fileURLToPath(import.meta.url));
const axePath = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');
const MFA = 'guides/turn-on-mfa-in-tiktok-manually.html';
const BRANCHES = 'guides/link-a-verification-method.html';
const T = { timeout: 120_000 };

let bundled; // the repo's own site
let guides; // the reference article and the branch fixture, with the built-in theme only
let guidesDir;
let server;
let guidesServer;
let browser;

before(async () => {
  guidesDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-search-ui-'));
  const content = path.join(guidesDir, 'content', 'guides');
  await fs.mkdir(content, { recursive: true });
  await fs.writeFile(path.join(guidesDir, 'book.toml'), '[book]\ntitle = "Ref"\n');
  await fs.copyFile('/work/shared/seeds/turn-on-mfa-in-tiktok-manually.md', path.join(content, 'turn-on-mfa-in-tiktok-manually.md'));
  const branches = path.join(here, 'fixtures', 'branches', 'content', 'guides');
  for (const f of await fs.readdir(branches)) await fs.copyFile(path.join(branches, f), path.join(content, f));

  [bundled, guides] = await Promise.all([buildSite(repoRoot), buildSite(guidesDir)]);
  assert.equal(bundled.code, 0, describeBuild(bundled));
  assert.equal(guides.code, 0, describeBuild(guides));
  server = await serveStatic(bundled.dir);
  guidesServer = await serveStatic(guides.dir);
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await guidesServer?.close();
  await bundled?.cleanup();
  await guides?.cleanup();
  if (guidesDir) await fs.rm(guidesDir, { recursive: true, force: true });
});

/** Type `q` into the focused search box and wait until its results (or none) show. */
async function search(page, q, box = '.search') {
  await page.locator(`${box} input`).fill('');
  await page.locator(`${box} input`).focus();
  await page.keyboard.type(q);
  await page.waitForFunction(
    ([sel, query]) => document.querySelector(sel)?.getAttribute('data-query') === query,
    [box, q],
  );
  await settle(page); // the rest of the results (more article buckets) load after the first
}

/** What the open panel shows: groups with their label and options. */
const panel = (page, box = '.search') =>
  page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const input = root.querySelector('input');
    const list = root.querySelector('[role="listbox"]');
    const label = (g) =>
      (g.getAttribute('aria-labelledby') || '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ');
    return {
      expanded: input.getAttribute('aria-expanded'),
      active: input.getAttribute('aria-activedescendant'),
      panelHidden: root.querySelector('.search__panel').hidden,
      empty: root.querySelector('.search__empty').hidden ? null : root.querySelector('.search__empty').textContent,
      emptyLinks: [...root.querySelectorAll('.search__empty a')].map((a) => a.getAttribute('href')),
      groups: [...list.querySelectorAll('[role="group"]')].map((g) => ({
        label: label(g),
        options: [...g.querySelectorAll('[role="option"]')].map((o) => ({
          id: o.id,
          href: o.getAttribute('href'),
          text: o.textContent,
          selected: o.getAttribute('aria-selected'),
          marks: [...o.querySelectorAll('mark')].map((m) => m.textContent),
        })),
      })),
    };
  }, box);

const options = (p) => p.groups.flatMap((g) => g.options);

test('nothing is loaded before the box is used; typing shows grouped results', T, async () => {
  await withPage('grouped', async (page) => {
    const seen = () =>
      server.requests.filter((r) => /\/search\/|\/search\.js/.test(r.url)).map((r) => r.url);
    const before = seen().length;
    await page.goto(new URL('index.html', server.url).href);
    await settle(page);
    assert.deepEqual(seen().slice(before), [], 'the engine or the index loaded before the box was used');

    const hero = page.locator('.search--hero input');
    assert.equal(await hero.count(), 1, 'no search box in the home page hero');
    assert.equal(await page.locator('.site-header .search').count(), 0, 'two search boxes on the home page');
    assert.equal(await hero.getAttribute('role'), 'combobox');
    assert.equal(await hero.getAttribute('aria-expanded'), 'false');

    await hero.focus();
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /search\/manifest\.js$/.test(e.name)));
    assert.deepEqual(seen().slice(before), ['/assets/search.js', '/search/manifest.js'],
      'focus loads the engine and the manifest only');

    await search(page, 'step id', '.search--hero');
    const p = await panel(page, '.search--hero');
    await screenshot(page, 'search-grouped');
    assert.equal(p.expanded, 'true');
    assert.ok(p.groups.length >= 2, JSON.stringify(p, null, 2));
    for (const g of p.groups) {
      assert.match(g.label, / › /, `a group label has no breadcrumb: ${g.label}`);
      assert.ok(g.options.length >= 1 && g.options.length <= 3);
    }
    const all = options(p);
    assert.ok(all.some((o) => / › Step \d+/.test(o.text)), 'no step result with its breadcrumb');
    assert.ok(all.some((o) => o.marks.length), 'no <mark> in the results');
    for (const o of all) {
      for (const m of o.marks) assert.match(m.toLowerCase(), /^(step|id)/, `marked "${m}"`);
      assert.match(o.href, /\?highlight=[^#&]+/, `${o.href} carries no highlight words`);
    }
    // The group of the "How steps get their ids" section comes with its deepest anchor.
    assert.ok(all.some((o) => o.href.startsWith('write/write-a-procedure.html?') && o.href.includes('#how-steps-get-their-ids')),
      JSON.stringify(all.map((o) => o.href)));
  });
});

test('`/` focuses the search box unless the reader is typing in a field', T, async () => {
  await withPage('slash', async (page) => {
    await page.goto(new URL('get-started/install.html', server.url).href);
    await settle(page);
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'sb:search');
    assert.equal(await page.locator('.search input').inputValue(), '', 'the slash was typed into the box');

    await page.evaluate(() => {
      const f = document.createElement('input');
      f.id = 'other-field';
      document.querySelector('main').prepend(f);
      f.focus();
    });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'other-field');
    assert.equal(await page.locator('#other-field').inputValue(), '/');
  });
});

test('arrows move, Enter opens the deepest anchor, the page highlights the words', T, async () => {
  await withPage('keyboard', async (page) => {
    await page.goto(new URL(MFA, guidesServer.url).href);
    await settle(page);
    await search(page, 'shared inbox');
    let p = await panel(page);
    const all = options(p);
    assert.equal(p.active, null);
    await page.keyboard.press('ArrowDown');
    p = await panel(page);
    assert.equal(p.active, all[0].id);
    assert.equal(options(p)[0].selected, 'true');
    if (all.length > 1) {
      await page.keyboard.press('ArrowDown');
      assert.equal((await panel(page)).active, all[1].id);
      await page.keyboard.press('ArrowUp');
    }
    assert.equal((await panel(page)).active, all[0].id);
    assert.equal(all[0].href, `../${MFA}?highlight=shared+inbox#retrieve-the-verification-code-from-cerby-step-2`);
    assert.match(all[0].text, /Retrieve the verification code from Cerby › Step 2/);

    await Promise.all([page.waitForURL(/#retrieve-the-verification-code-from-cerby-step-2$/), page.keyboard.press('Enter')]);
    await settle(page);
    const landed = await page.evaluate(() => ({
      hash: location.hash,
      search: location.search,
      marks: [...document.querySelectorAll('mark.search-hit')].map((m) => ({
        text: m.textContent,
        inBody: !!m.closest('.article-body'),
        inCode: !!m.closest('code, pre'),
      })),
    }));
    await screenshot(page, 'search-landed', { fullPage: false });
    assert.equal(landed.hash, '#retrieve-the-verification-code-from-cerby-step-2');
    assert.equal(landed.search, '?highlight=shared+inbox');
    assert.ok(landed.marks.length >= 4, JSON.stringify(landed.marks));
    for (const m of landed.marks) {
      assert.match(m.text, /^(shared|inbox)$/i);
      assert.ok(m.inBody && !m.inCode, JSON.stringify(m));
    }
    // The fragment target still is the step, highlighted by the step script.
    assert.ok(await page.locator('[id="retrieve-the-verification-code-from-cerby-step-2"] mark.search-hit').count());
  });
});

test('highlighting skips code, and a result inside a branch option opens that option', T, async () => {
  await withPage('branch', async (page) => {
    await page.goto(new URL(MFA, guidesServer.url).href);
    await settle(page);
    await search(page, 'android cache');
    const first = options(await panel(page))[0];
    assert.match(first.href, /link-a-verification-method\.html\?highlight=[^#]+#clear-the-android-cache$/);
    await Promise.all([page.waitForURL(/#clear-the-android-cache$/), page.keyboard.press('Enter')]);
    await settle(page);
    const target = page.locator('[id="clear-the-android-cache"]');
    assert.ok(await target.isVisible(), 'the option holding the result did not open');
    assert.ok(await target.locator('mark.search-hit').count(), 'no highlight in the heading');

    // Code is never highlighted: a page with the word in code and in text.
    await page.goto(new URL(`${BRANCHES}?highlight=android+tap`, guidesServer.url).href);
    await settle(page);
    const counts = await page.evaluate(() => ({
      marks: document.querySelectorAll('.article-body mark.search-hit').length,
      inCode: document.querySelectorAll('code mark, pre mark, .step-anchor mark, .heading-anchor mark').length,
      outside: document.querySelectorAll('mark.search-hit:not(.article-body mark)').length,
    }));
    assert.ok(counts.marks > 0);
    assert.equal(counts.inCode, 0);
    assert.equal(counts.outside, 0);
  });
});

test('Escape closes the results, a second Escape clears the box', T, async () => {
  await withPage('escape', async (page) => {
    await page.goto(new URL('write/callouts.html', server.url).href);
    await settle(page);
    await search(page, 'callout');
    await page.keyboard.press('ArrowDown');
    assert.equal((await panel(page)).panelHidden, false);
    await page.keyboard.press('Escape');
    let p = await panel(page);
    assert.equal(p.panelHidden, true);
    assert.equal(p.expanded, 'false');
    assert.equal(p.active, null);
    assert.equal(await page.locator('.search input').inputValue(), 'callout');
    await page.keyboard.press('ArrowDown');
    p = await panel(page);
    assert.equal(p.panelHidden, false, 'ArrowDown does not reopen the results');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.search input').inputValue(), '');
    // Leaving the box closes the results too.
    await search(page, 'callout');
    await page.keyboard.press('Tab');
    await page.locator('body').click({ position: { x: 5, y: 500 } });
    assert.equal((await panel(page)).panelHidden, true);
  });
});

test('no results: a helpful message with a link to the home page', T, async () => {
  await withPage('empty', async (page) => {
    await page.goto(new URL('publish/check-your-site.html', server.url).href);
    await settle(page);
    await search(page, 'qwzxv stepbook');
    assert.ok((await panel(page)).groups.length > 0, 'a word of the site is enough for results');
    await search(page, 'qwzxv blorft');
    const p = await panel(page);
    await screenshot(page, 'search-empty', { fullPage: false });
    assert.equal(p.groups.length, 0);
    assert.equal(p.expanded, 'false');
    assert.equal(p.panelHidden, false);
    assert.match(p.empty, /No results for “qwzxv blorft”/);
    assert.match(p.empty, /spelling/);
    assert.match(p.empty, /fewer/);
    assert.deepEqual(p.emptyLinks, ['../index.html']);
    assert.match(await page.locator('.search [role="status"]').textContent(), /No results/);
  });
});

test('search works from a site opened from disk (file://)', T, async () => {
  await withPage('file', async (page) => {
    await page.goto(fileUrl(guides.dir, MFA));
    await settle(page);
    await search(page, 'turn off 2-step');
    const all = options(await panel(page));
    const i = all.findIndex((o) => o.href.endsWith('#turn-off-mfa'));
    assert.ok(i >= 0 && i < 3, JSON.stringify(all.map((o) => o.href)));
    for (let k = 0; k <= i; k++) await page.keyboard.press('ArrowDown');
    await Promise.all([page.waitForURL(/^file:.*#turn-off-mfa$/), page.keyboard.press('Enter')]);
    await settle(page);
    assert.ok(await page.locator('[id="turn-off-mfa"] mark.search-hit').count());
  });
});

test('ARIA combobox: roles, states and no axe-core violations', T, async () => {
  await withPage('axe', async (page) => {
    await page.goto(new URL(MFA, guidesServer.url).href);
    await settle(page);
    await search(page, 'phone number');
    await page.keyboard.press('ArrowDown');
    const aria = await page.evaluate(() => {
      const input = document.querySelector('.search input');
      const list = document.getElementById(input.getAttribute('aria-controls'));
      const active = document.getElementById(input.getAttribute('aria-activedescendant'));
      return {
        label: input.labels?.[0]?.textContent,
        listRole: list?.getAttribute('role'),
        activeRole: active?.getAttribute('role'),
        activeInList: !!active && list.contains(active),
        outline: getComputedStyle(active).outlineStyle,
      };
    });
    assert.deepEqual(aria, { label: 'Search', listRole: 'listbox', activeRole: 'option', activeInList: true, outline: 'solid' });
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(() => window.axe.run({ include: [['.search']] }));
    assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), []);
  });
});

test('usable at 320 px wide', T, async () => {
  await withPage('narrow', async (page) => {
    for (const rel of ['index.html', 'get-started/create-a-site.html']) {
      await page.goto(new URL(rel, server.url).href);
      await settle(page);
      // The placeholder fits its box whole: no "/" hint in the way on a narrow screen.
      const fits = await page.evaluate(() =>
        [...document.querySelectorAll('.search__input')].map((input) => {
          const s = getComputedStyle(input);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
          const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
          return { placeholder: input.placeholder, text: ctx.measureText(input.placeholder).width, room };
        }),
      );
      for (const f of fits) assert.ok(f.text <= f.room, `placeholder clipped: ${JSON.stringify(f)}`);
      assert.ok(await page.locator('.search__key').first().isHidden(), 'the "/" hint shows at 320 px');
      await search(page, 'site');
      const box = await page.evaluate(() => {
        const r = document.querySelector('.search__panel').getBoundingClientRect();
        const i = document.querySelector('.search input').getBoundingClientRect();
        return { left: r.left, right: r.right, input: i.width, scroll: document.documentElement.scrollWidth };
      });
      await screenshot(page, `search-320-${rel.replace(/\W+/g, '-')}`, { fullPage: false });
      assert.ok(box.left >= 0 && box.right <= 320, JSON.stringify(box));
      assert.ok(box.input >= 200, JSON.stringify(box));
      assert.ok(box.scroll <= 320, `the page scrolls sideways: ${box.scroll}px`);
    }
  }, { viewport: { width: 320, height: 640 } });
});

test('dark mode: the system preference and the theme toggle', T, async () => {
  const colours = async (scheme, theme) => {
    let out;
    await withPage(`dark-${scheme}-${theme}`, async (page) => {
      await page.goto(new URL('write/frontmatter.html', server.url).href);
      if (theme) await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
      await settle(page);
      await search(page, 'order');
      out = await page.evaluate(() => {
        const c = (el, p) => getComputedStyle(el)[p];
        return {
          panel: c(document.querySelector('.search__panel'), 'backgroundColor'),
          input: c(document.querySelector('.search input'), 'backgroundColor'),
          text: c(document.querySelector('.search__title'), 'color'),
        };
      });
      if (scheme === 'dark' && !theme) await screenshot(page, 'search-dark', { fullPage: false });
    }, { colorScheme: scheme });
    return out;
  };
  const light = await colours('light');
  const dark = await colours('dark');
  const toggled = await colours('light', 'dark');
  assert.notDeepEqual(light, dark);
  assert.deepEqual(toggled, dark);
  assert.equal(dark.panel, 'rgb(17, 20, 24)');
});

/**
 * Runs `fn` on a page of a copy of the reference site (opened at MFA) whose index is made by
 * hand from `notes`, its long postings split over shards; `pages` are more files to write in
 * it, by path. The copy is removed afterwards.
 */
async function withSplitIndex(name, notes, pages, fn) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `stepbook-search-${name}-`));
  await fs.cp(guides.dir, dir, { recursive: true });
  await writeIndex(dir, makeIndex(notes, { shardBytes: 60, per: 8 }));
  for (const [file, text] of Object.entries(pages)) await fs.writeFile(path.join(dir, file), text);
  const srv = await serveStatic(dir);
  try {
    await withPage(name, async (page) => {
      await page.goto(new URL(MFA, srv.url).href);
      await fn(page);
    });
  } finally {
    await srv.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('first results come from the heads of long postings, then from all of them', T, async () => {
  // The reference site with a hand-made index in which "backup" is split over shards.
  await withSplitIndex('split', backupNotes(), {}, async (page) => {
    await page.evaluate(() => {
      const status = document.querySelector('.search [role="status"]');
      window.said = [];
      new MutationObserver(() => window.said.push(status.textContent))
        .observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('.search input').fill('backup');
    await page.waitForFunction(() => window.said.some((t) => t.startsWith('40 articles match')));
    const said = await page.evaluate(() => window.said.filter(Boolean));
    assert.match(said[0], /^\d+\+ articles match\. Use the arrow keys/, JSON.stringify(said));
    assert.equal(said[said.length - 1], '40 articles match. Use the arrow keys to move through the results.');
    const p = await panel(page);
    assert.deepEqual(options(p).slice(0, 5).map((o) => o.href.replace(/\?.*$/, '')),
      ['../n0.html', '../n8.html', '../n16.html', '../n24.html', '../n32.html']);
  });
});

test('the full results keep the first result of the quick ones in place while it ranks close to first', T, async () => {
  // A quick search for "backup restore" ranks "Restore drill 0" first; the full ranking
  // alone puts "Restore notes" first (search-engine.test.mjs pins both orders).
  const drill = { 'drill0.html': '<!DOCTYPE html><title>Restore drill 0</title>\n' };
  await withSplitIndex('keep-first', restoreNotes(), drill, async (page) => {
    await page.evaluate(() => {
      const root = document.querySelector('.search');
      const status = root.querySelector('[role="status"]');
      window.shown = [];
      new MutationObserver(() => {
        const hrefs = [...root.querySelectorAll('[role="option"]')].map((o) => o.getAttribute('href'));
        if (status.textContent) window.shown.push({ said: status.textContent, hrefs });
      }).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('.search input').fill('backup restore');
    await page.waitForFunction(() => window.shown.some((s) => s.said.startsWith('44 articles match')));
    const shown = await page.evaluate(() => window.shown);
    const first = (s) => s.hrefs[0].replace(/\?.*$/, '');
    assert.equal(shown.length, 2, JSON.stringify(shown));
    assert.match(shown[0].said, /^\d+\+ articles match\./);
    assert.equal(first(shown[0]), '../drill0.html');
    assert.equal(shown[1].said, '44 articles match. Use the arrow keys to move through the results.');
    assert.deepEqual(shown[1].hrefs.slice(0, 4).map((h) => h.replace(/\?.*$/, '')),
      ['../drill0.html', '../restore.html', '../drill1.html', '../drill2.html']);
    // Enter opens the result that was first all along.
    await Promise.all([page.waitForURL(/\/drill0\.html/), page.keyboard.press('Enter')]);
  });
});

test('the built-in theme ships the search scripts and styles', T, async () => {
  for (const f of ['search.js', 'search-ui.js', 'search.css']) {
    const st = await fs.stat(path.join(guides.dir, 'assets', f)).catch(() => null);
    assert.ok(st?.isFile(), `assets/${f} is missing from a site without a theme folder`);
  }
  const html = await fs.readFile(path.join(guides.dir, MFA), 'utf8');
  // search-ui.js loads search.js (the engine) itself, when the box is first used.
  for (const ref of ['../assets/search-ui.js', '../assets/search.css']) {
    assert.ok(html.includes(`"${ref}"`), `the article does not load ${ref}`);
  }
});
