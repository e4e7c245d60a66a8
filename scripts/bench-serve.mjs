#!/usr/bin/env node
// Save-to-screen latency of `stepbook serve`: the time from writing a Markdown file to the
// open page in headless Chromium showing the change. Median of several edits, at each size,
// split into the server's part (write -> the page's `update` event arrives) and the
// browser's part (event -> the change is on the page).
//
//   cargo build --release && node scripts/bench-serve.mjs [--pause MS] [1000 10000 ...]
//
// --pause is the wait after each edit shows before the next save (default 300 ms). With a
// pause longer than the server's quiet time before it rebuilds the search index (500 ms),
// each index build runs while the next edits are made.
//
// Uses ../shared/bench/gen_corpus.py for the sites and the browser-test harness for
// Chromium (run `npm ci` in tests/browser first).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const { launchBrowser } = await import(path.join(repo, 'tests/browser/harness.mjs'));
const bin = process.env.STEPBOOK_BIN || path.join(repo, 'target/release/stepbook');
const gen = path.resolve(repo, '../shared/bench/gen_corpus.py');
const args = process.argv.slice(2);
const pauseAt = args.indexOf('--pause');
const PAUSE = pauseAt === -1 ? 300 : Number(args.splice(pauseAt, 2)[1]);
const sizes = args.map(Number).filter(Boolean);
const EDITS = 9;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function serve(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c) => {
      log += c;
      const m = log.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m && log.includes('search index ready')) resolve({ url: m[1], child, log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}\n${log}`)));
  });
}

const browser = await launchBrowser();
for (const n of sizes.length ? sizes : [1000, 10000]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stepbook-bench-serve-${n}-`));
  execFileSync('python3', [gen, '--articles', String(n), '--out', dir], { stdio: 'ignore' });
  const t0 = Date.now();
  const srv = await serve(dir);
  const startup = Date.now() - t0;
  const article = execFileSync('find', [path.join(dir, 'content'), '-name', '*.md', '-not', '-name', '_index.md'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    .split('\n').filter(Boolean).sort()[0];
  const rel = path.relative(path.join(dir, 'content'), article).replace(/\.md$/, '.html');
  const page = await browser.newPage();
  await page.goto(srv.url + rel);
  await page.waitForFunction(() => document.documentElement.getAttribute('data-stepbook-live') === 'connected');
  // A stream of our own that notes when each update event reaches the page.
  await page.evaluate(() => {
    window.__updates = [];
    const events = new EventSource('/__stepbook/events');
    events.addEventListener('update', () => window.__updates.push(Date.now()));
    return new Promise((resolve) => events.addEventListener('hello', resolve));
  });
  const times = [];
  const server = [];
  const browserPart = [];
  for (let i = 0; i < EDITS; i++) {
    const marker = `Edit marker ${n}-${i}-${Math.random().toString(36).slice(2)}`;
    const seen = page.waitForFunction((m) => !!document.body && document.body.textContent.includes(m), marker, { polling: 'raf', timeout: 60_000 });
    const start = Date.now();
    fs.appendFileSync(article, `\n${marker}\n`);
    await seen;
    const end = Date.now();
    times.push(end - start);
    const event = await page.evaluate((t) => (window.__updates || []).find((u) => u >= t), start);
    if (event !== undefined) {
      server.push(event - start);
      browserPart.push(end - event);
    }
    await page.waitForTimeout(PAUSE);
  }
  const reloaded = await page.evaluate(() => window.__updates === undefined);
  await page.close();
  srv.child.kill();
  const rebuilds = [...srv.log().matchAll(/built \d+ pages? in (\d+) ms/g)].map((m) => Number(m[1])).slice(1);
  console.log(`${n} articles: serve ready in ${startup} ms; save -> page shows it: median ${median(times)} ms (min ${Math.min(...times)}, max ${Math.max(...times)}); ` +
    `server (save -> event) median ${median(server)} ms, browser (event -> shown) median ${median(browserPart)} ms; rebuild median ${median(rebuilds)} ms` +
    (reloaded ? ' (the page reloaded)' : ''));
  fs.rmSync(dir, { recursive: true, force: true });
}
await browser.close();
