// `stepbook serve` in a real browser: edits reach open pages in place, without a navigation
// (scroll, page state and the reader's branch choice kept), pages that did not change are
// left alone, a stylesheet edit applies without a reload and a theme script edit reloads, a
// broken file shows the overlay and the fix clears it, 20 open tabs all update, and no
// request sees a 404 while rebuilds run.
//
// Each test works on a copy of the bundled site in a temporary folder.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage, repoRoot, stepbookBin } from './harness.mjs';

const T = { timeout: 120_000 };
let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Copies the bundled site (and its theme overrides) to a fresh folder. */
function copySite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepbook-serve-'));
  fs.cpSync(path.join(repoRoot, 'content'), path.join(dir, 'content'), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, 'book.toml'), path.join(dir, 'book.toml'));
  fs.cpSync(path.join(repoRoot, 'themes', 'default', 'static'), path.join(dir, 'themes', 'default', 'static'), { recursive: true });
  return dir;
}

/** Starts `stepbook serve --port 0` in `dir`; resolves with its URL and a stop function. */
function serve(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(stepbookBin(), ['serve', '--port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 30_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], log: () => log, stop: () => child.kill() });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });
}

async function waitFor(page, fn, arg, timeout = 10_000) {
  await page.waitForFunction(fn, arg, { timeout, polling: 50 });
}

const ARTICLE = 'write/write-a-procedure.html';

/** Serves a fresh copy of the site and opens `article` (ARTICLE) with its live-reload stream
 * connected; `page.navigations()` counts the main frame's navigations after that. */
async function withLivePage(fn, article = ARTICLE) {
  const dir = copySite();
  const srv = await serve(dir);
  const page = await newPage(browser);
  try {
    await openLive(page, srv.url + article);
    await fn({ dir, srv, page });
  } finally {
    await page.dispose();
    srv.stop();
  }
}

/** Opens `url`, waits for the live stream, and marks the document: the mark survives an
 * in-place update and is gone after a reload. */
async function openLive(page, url) {
  await page.goto(url);
  await waitFor(page, () => document.documentElement.getAttribute('data-stepbook-live') === 'connected');
  await page.evaluate(() => { window.__sameDocument = true; });
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  page.navigations = () => navigations;
}

/** True when the page was updated in place: the same document, never navigated. */
async function sameDocument(page) {
  return page.navigations() === 0 && (await page.evaluate(() => window.__sameDocument === true));
}

const SOURCE = 'content/write/write-a-procedure.md';

/** How the theme script has enhanced the steps of the page's main content. */
function enhancements(page) {
  return page.evaluate(() => {
    const steps = [...document.querySelectorAll('main .step[id]')];
    return {
      steps: steps.length,
      copy: steps.filter((s) => s.querySelectorAll('.step-copy').length === 1).length,
      ticks: steps.filter((s) => s.querySelectorAll(':scope > .step-tick').length === 1).length,
      bars: document.querySelectorAll('main .step-progress').length,
    };
  });
}

test('an edit reaches the open page in place: no navigation, scroll and features kept', T, async () => {
  await withLivePage(async ({ dir, srv, page }) => {
    const fresh = await enhancements(page);
    assert.ok(fresh.steps > 3, `steps: ${JSON.stringify(fresh)}`);
    // The theme scrolls smoothly; an instant scroll lands before the edit.
    await page.evaluate(() => window.scrollTo({ top: 900, behavior: 'instant' }));
    await page.waitForTimeout(200);
    const before = await page.evaluate(() => window.scrollY);
    assert.equal(before, 900, 'scrolled');
    fs.appendFileSync(path.join(dir, SOURCE), '\nA sentence added while the page is open.\n');
    await waitFor(page, () => !!document.body && document.body.textContent.includes('A sentence added while the page is open.'));
    await page.waitForTimeout(300);
    const afterY = await page.evaluate(() => window.scrollY);
    assert.ok(Math.abs(afterY - before) < 5, `scroll kept: ${before} -> ${afterY}`);
    assert.ok(await sameDocument(page), 'the page was updated without a navigation');
    // The new content is enhanced once, like a freshly loaded page.
    assert.deepEqual(await enhancements(page), fresh);
    // The step links and ticks of the new content work.
    const tick = page.locator('main .step[id] .step__tick').first();
    await tick.check();
    assert.match(await page.textContent('main .step-progress__count'), /^1 of \d+ steps done$/);
    assert.deepEqual(page.problems().pageErrors, []);
    assert.deepEqual(page.problems().consoleErrors, []);
  });
});

test('a title or description change updates the head in place', T, async () => {
  await withLivePage(async ({ dir, page }) => {
    const file = path.join(dir, SOURCE);
    const text = fs.readFileSync(file, 'utf8')
      .replace('title: Write a procedure\n', 'title: Write a numbered procedure\n')
      .replace(/^description: .*$/m, 'description: A new description.');
    fs.writeFileSync(file, text);
    await waitFor(page, () => document.title.startsWith('Write a numbered procedure'));
    assert.equal(await page.textContent('main h1'), 'Write a numbered procedure');
    assert.equal(await page.getAttribute('meta[name="description"]', 'content'), 'A new description.');
    assert.ok(await sameDocument(page), 'the page was updated without a navigation');
    assert.deepEqual(page.problems().pageErrors, []);
  });
});

test('an update keeps the branch option the reader opened', T, async () => {
  await withLivePage(async ({ dir, page }) => {
    const open = () => page.evaluate(() => [...document.querySelectorAll('.branch__option--open')].map((o) => o.id));
    assert.deepEqual(await open(), ['macos-or-linux']);
    fs.appendFileSync(path.join(dir, 'content/get-started/install.md'), '\nA line for the branch test.\n');
    await waitFor(page, () => document.body.textContent.includes('A line for the branch test.'));
    assert.ok(await sameDocument(page), 'the page was updated without a navigation');
    assert.deepEqual(await open(), ['macos-or-linux']);
    assert.equal(await page.isChecked('.branch__choices input[value="macos-or-linux"]'), true);
    assert.deepEqual(page.problems().pageErrors, []);
  }, 'get-started/install.html#macos-or-linux');
});

test('a page that did not change is not fetched again', T, async () => {
  await withLivePage(async ({ dir, srv, page }) => {
    const other = await page.context().newPage();
    await openLive(other, srv.url + 'write/callouts.html');
    const fetched = [];
    page.on('request', (r) => fetched.push(r.url()));
    fs.appendFileSync(path.join(dir, 'content/write/callouts.md'), '\nOnly the callouts page changes.\n');
    await waitFor(other, () => document.body.textContent.includes('Only the callouts page changes.'));
    await page.waitForTimeout(300);
    assert.deepEqual(fetched, []);
    assert.ok(await sameDocument(page) && (await sameDocument(other)), 'no navigation');
  });
});

test('a snippet edit updates in place every open page that includes it, and no other', T, async () => {
  await withLivePage(async ({ dir, srv, page }) => {
    // Both pages include content/_snippets/open-the-site-folder.md; ARTICLE does not.
    const preview = await page.context().newPage();
    await openLive(preview, srv.url + 'get-started/preview.html');
    const check = await page.context().newPage();
    await openLive(check, srv.url + 'publish/check-your-site.html');
    const fetched = [];
    page.on('request', (r) => fetched.push(r.url()));
    const file = path.join(dir, 'content/_snippets/open-the-site-folder.md');
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes('for example:'), text);
    fs.writeFileSync(file, text.replace('for example:', 'for example with the cd command:'));
    const edited = (id) => document.getElementById(id)?.textContent.includes('for example with the cd command:');
    await waitFor(preview, edited, 'start-the-preview-step-2');
    await waitFor(check, edited, 'run-a-check-step-2');
    await page.waitForTimeout(300);
    assert.deepEqual(fetched, []);
    for (const p of [page, preview, check]) assert.ok(await sameDocument(p), 'no navigation');
    // The steps after the snippet keep their numbers and ids.
    assert.equal(await preview.getAttribute('#start-the-preview-step-3', 'data-step'), '3');
    assert.equal(await check.getAttribute('#run-the-check', 'data-step'), '3');
    assert.deepEqual(page.problems().pageErrors, []);
  });
});

test('a stylesheet edit applies without a reload', T, async () => {
  await withLivePage(async ({ dir, srv, page }) => {
    const css = path.join(dir, 'themes/default/static/assets/stepbook.css');
    fs.appendFileSync(css, '\nbody { outline: 7px solid rgb(255, 0, 0); }\n');
    await waitFor(page, () => getComputedStyle(document.body).outlineWidth === '7px');
    assert.ok(await sameDocument(page), 'the page was not reloaded');
    // A later edit still updates the page in place, with the new stylesheet.
    fs.appendFileSync(path.join(dir, SOURCE), '\nAfter the stylesheet.\n');
    await waitFor(page, () => document.body.textContent.includes('After the stylesheet.'));
    assert.ok(await sameDocument(page), 'the page was not reloaded');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).outlineWidth), '7px');
  });
});

test('a theme script edit reloads the page, at the same scroll position', T, async () => {
  await withLivePage(async ({ dir, page }) => {
    await page.evaluate(() => window.scrollTo({ top: 700, behavior: 'instant' }));
    await page.waitForTimeout(200);
    const before = await page.evaluate(() => window.scrollY);
    assert.equal(before, 700, 'scrolled');
    const loaded = page.waitForEvent('load');
    fs.appendFileSync(path.join(dir, 'themes/default/static/assets/stepbook.js'), '\nwindow.__newScript = true;\n');
    await loaded;
    await waitFor(page, () => window.__newScript === true);
    assert.equal(await page.evaluate(() => window.__sameDocument), undefined, 'the page reloaded');
    await page.waitForTimeout(300);
    const afterY = await page.evaluate(() => window.scrollY);
    assert.ok(Math.abs(afterY - before) < 5, `scroll kept: ${before} -> ${afterY}`);
  });
});

test('a broken file shows the overlay, and the fix clears it', T, async () => {
  await withLivePage(async ({ dir, srv, page }) => {
    const file = path.join(dir, SOURCE);
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.replace(/^---\n/, '---\norder: [\n'));
    await waitFor(page, () => !!document.getElementById('stepbook-problems'));
    const text = await page.textContent('#stepbook-problems');
    assert.match(text, /content\/write\/write-a-procedure\.md:\d+:\d+/);
    // The last good site stays served.
    const resp = await page.request.get(srv.url + ARTICLE);
    assert.equal(resp.status(), 200);
    fs.writeFileSync(file, good + '\nFixed again.\n');
    await waitFor(page, () => !document.getElementById("stepbook-problems") && !!document.body && document.body.textContent.includes('Fixed again.'));
    assert.ok(await sameDocument(page), 'the fix was shown without a navigation');
  });
});

test('20 tabs all update', T, async () => {
  const dir = copySite();
  const srv = await serve(dir);
  const context = await browser.newContext();
  try {
    const pages = [];
    for (let i = 0; i < 20; i++) {
      const p = await context.newPage();
      await openLive(p, srv.url + ARTICLE);
      pages.push(p);
    }
    fs.appendFileSync(path.join(dir, SOURCE), '\nEvery tab sees this.\n');
    await Promise.all(pages.map((p) => waitFor(p, () => !!document.body && document.body.textContent.includes('Every tab sees this.'), undefined, 20_000)));
    for (const p of pages) assert.ok(await sameDocument(p), 'every tab was updated in place');
  } finally {
    await context.close();
    srv.stop();
  }
});

test('no 404 while rebuilds run', T, async () => {
  const dir = copySite();
  const srv = await serve(dir);
  try {
    const file = path.join(dir, SOURCE);
    let stop = false;
    const statuses = [];
    const poll = (async () => {
      while (!stop) {
        const r = await fetch(srv.url + ARTICLE);
        statuses.push(r.status);
        await r.arrayBuffer();
      }
    })();
    for (let i = 0; i < 15; i++) {
      fs.appendFileSync(file, `\nEdit number ${i}.\n`);
      await new Promise((r) => setTimeout(r, 60));
    }
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await poll;
    assert.ok(statuses.length > 20, `${statuses.length} requests`);
    assert.deepEqual([...new Set(statuses)], [200]);
  } finally {
    srv.stop();
  }
});

test('the server listens on loopback only, and refuses other Host names', T, async () => {
  const dir = copySite();
  const srv = await serve(dir);
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:/);
    const port = new URL(srv.url).port;
    const http = await import('node:http');
    const status = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    assert.equal(status, 403);
    const traversal = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/../book.toml' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    assert.equal(traversal, 403);
    const served = await fetch(srv.url + 'book.toml');
    assert.equal(served.status, 404, 'only the built site is served');
  } finally {
    srv.stop();
  }
});

test('nothing of live reload is in build output', T, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepbook-out-'));
  fs.rmSync(out, { recursive: true });
  const { execFileSync } = await import('node:child_process');
  execFileSync(stepbookBin(), ['build', '--dest', out], { cwd: repoRoot, stdio: 'ignore' });
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(out)) {
    const text = fs.readFileSync(f, 'utf8');
    assert.ok(!text.includes('__stepbook'), `${f} mentions live reload`);
    assert.ok(!text.includes('EventSource'), `${f} has an EventSource`);
  }
});
