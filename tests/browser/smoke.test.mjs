// Smoke test: build the bundled site with the real stepbook binary and load
// its home page, a collection page and an article in headless Chromium,
// over HTTP and from disk (file://).
//
// Run `cargo build` first (or set STEPBOOK_BIN). STEPBOOK_SITE_DIR points the
// build at another site root (default: the repository root, which holds
// book.toml and content/).

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  assertNoProblems,
  buildSite,
  describeBuild,
  fileUrl,
  launchBrowser,
  newPage,
  repoRoot,
  screenshot,
  serveStatic,
  settle,
} from './harness.mjs';

const siteRoot = path.resolve(process.env.STEPBOOK_SITE_DIR || repoRoot);

/** The output layout stepbook promises (all URLs in it relative). */
const PAGES = [
  { name: 'home', rel: 'index.html' },
  { name: 'collection', rel: 'get-started/index.html' },
  { name: 'article', rel: 'get-started/create-a-site.html' },
];
const ARTICLE = PAGES[2];
const STYLESHEET = 'assets/stepbook.css';

const T = { timeout: 120_000 };

let build;
let server;
let browser;

before(async () => {
  build = await buildSite(siteRoot);
  assert.equal(build.code, 0, `stepbook build failed\n${describeBuild(build)}`);
  for (const p of PAGES) {
    const f = path.join(build.dir, ...p.rel.split('/'));
    let ok = false;
    try {
      ok = statSync(f).isFile();
    } catch {}
    assert.ok(ok, `build did not write ${p.rel} (${p.name} page)\n${describeBuild(build)}`);
  }
  server = await serveStatic(build.dir);
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
});

function fmt(list) {
  return JSON.stringify(list, null, 2);
}

async function assertStructure(page, where) {
  assert.ok((await page.locator('main').count()) >= 1, `no <main> on ${where}`);
  const h1 = page.locator('h1');
  assert.ok((await h1.count()) >= 1, `no <h1> on ${where}`);
  const text = (await h1.first().textContent())?.trim() ?? '';
  assert.notEqual(text, '', `the first <h1> on ${where} is empty`);
}

for (const p of PAGES) {
  test(`${p.name} page (${p.rel}) loads over HTTP without errors`, T, async () => {
    const page = await newPage(browser);
    const url = new URL(p.rel, server.url).href;
    try {
      const resp = await page.goto(url, { waitUntil: 'load' });
      assert.ok(resp, `no response for ${url}`);
      assert.equal(resp.status(), 200, `HTTP status of ${url}`);
      await settle(page);
      await screenshot(page, `smoke-http-${p.name}`);
      assertNoProblems(page, url);
      await assertStructure(page, url);
    } catch (err) {
      await screenshot(page, `smoke-http-${p.name}-FAILED`).catch(() => {});
      throw err;
    } finally {
      await page.dispose();
    }
  });
}

/**
 * Every href/src in the page must be relative (or external/fragment-only) and
 * point to a file that exists in the build, so the site works from any
 * folder, under any URL prefix, and from disk.
 */
test('every local URL is relative and points to an existing file', T, async () => {
  const page = await newPage(browser);
  const bad = [];
  try {
    for (const p of PAGES) {
      await page.goto(new URL(p.rel, server.url).href, { waitUntil: 'load' });
      const refs = await page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('[href], [src]')) {
          for (const attr of ['href', 'src']) {
            const v = el.getAttribute(attr);
            if (v !== null) out.push({ tag: el.tagName.toLowerCase(), attr, value: v.trim() });
          }
        }
        return out;
      });
      const pageFile = path.join(build.dir, ...p.rel.split('/'));
      for (const r of refs) {
        const v = r.value;
        const where = `${p.rel}: <${r.tag} ${r.attr}="${v}">`;
        if (v === '' || v.startsWith('#')) continue;
        if (v.startsWith('//')) {
          bad.push(`${where} is protocol-relative`);
          continue;
        }
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v);
        if (scheme) {
          const s = scheme[1].toLowerCase();
          if (!['http', 'https', 'mailto', 'tel', 'data'].includes(s)) {
            bad.push(`${where} uses the ${s}: scheme`);
          }
          continue; // external link: not checked here
        }
        if (v.startsWith('/')) {
          bad.push(`${where} is root-relative; it must be relative to the page`);
          continue;
        }
        let rel = v.split(/[?#]/, 1)[0];
        if (rel === '') continue; // "?x" or "#x" style
        try {
          rel = decodeURIComponent(rel);
        } catch {
          bad.push(`${where} is not a valid URL`);
          continue;
        }
        const target = path.resolve(path.dirname(pageFile), rel);
        if (target !== build.dir && !target.startsWith(build.dir + path.sep)) {
          bad.push(`${where} points outside the site`);
          continue;
        }
        let st = null;
        try {
          st = statSync(target);
        } catch {}
        if (!st) bad.push(`${where} points to a missing file`);
        else if (st.isDirectory()) {
          bad.push(`${where} points to a folder; link to its index.html so it works from disk`);
        }
      }
    }
  } finally {
    await page.dispose();
  }
  assert.deepEqual(bad, [], `bad URLs:\n${bad.join('\n')}`);
});

test(`article (${ARTICLE.rel}) opened from disk (file://) is styled and error-free`, T, async () => {
  // Default styles of the same elements on an unstyled page, for comparison.
  const probe = () => {
    const props = [
      'font-family',
      'font-size',
      'line-height',
      'color',
      'background-color',
      'margin-top',
      'margin-left',
      'padding-left',
      'max-width',
      'display',
    ];
    const pick = (el) => {
      if (!el) return null;
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((k) => [k, cs.getPropertyValue(k)]));
    };
    return {
      body: pick(document.body),
      main: pick(document.querySelector('main')),
      h1: pick(document.querySelector('h1')),
    };
  };

  const blank = await newPage(browser);
  let defaults;
  try {
    await blank.setContent('<!doctype html><html><body><main><h1>Title</h1></main></body></html>');
    defaults = await blank.evaluate(probe);
  } finally {
    await blank.dispose();
  }

  const page = await newPage(browser);
  const url = fileUrl(build.dir, ARTICLE.rel);
  try {
    await page.goto(url, { waitUntil: 'load' });
    await settle(page);
    await screenshot(page, 'smoke-file-article');
    assertNoProblems(page, url);
    await assertStructure(page, url);

    const sheets = await page.evaluate(() =>
      [...document.styleSheets].map((s) => {
        let rules = null; // null: the browser does not let file:// pages read it
        try {
          rules = s.cssRules.length;
        } catch {}
        return { href: s.href, rules, owner: s.ownerNode?.getAttribute?.('href') ?? null };
      }),
    );
    assert.ok(sheets.length > 0, `no stylesheet loaded on ${url}`);
    const main = sheets.find((s) => s.href && s.href.endsWith(`/${STYLESHEET}`));
    assert.ok(main, `${STYLESHEET} is not among the loaded stylesheets:\n${fmt(sheets)}`);
    assert.ok(
      main.owner && !main.owner.startsWith('/') && !/^[a-z]+:/i.test(main.owner),
      `the stylesheet link must be relative, got href="${main.owner}"`,
    );
    assert.equal(
      fileURLToPath(main.href),
      path.join(build.dir, ...STYLESHEET.split('/')),
      'stylesheet resolved to the wrong file',
    );
    if (main.rules !== null) assert.ok(main.rules > 0, `${STYLESHEET} has no CSS rules`);

    const styled = await page.evaluate(probe);
    const differs = ['body', 'main', 'h1'].some(
      (k) => JSON.stringify(styled[k]) !== JSON.stringify(defaults[k]),
    );
    assert.ok(
      differs,
      `the article looks unstyled: computed styles equal the browser defaults\n${fmt(styled)}`,
    );
  } catch (err) {
    await screenshot(page, 'smoke-file-article-FAILED').catch(() => {});
    throw err;
  } finally {
    await page.dispose();
  }
});
