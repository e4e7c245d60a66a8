#!/usr/bin/env node
// Search benchmark: stepbook's own sharded index against Pagefind, on the same generated site.
//
//   cargo build --release && (cd tests/browser && npm ci) && node scripts/bench-search.mjs [1000 10000 ...]
//
// Only the sizes given are run (default: 1000 and 10000). For each size it
//  1. generates the native flavour of ../shared/bench/gen_corpus.py (DIR/content only);
//  2. builds it with `stepbook build --force --dest OUT --timings` (BUILD_RUNS times, default 3,
//     medians), the output folder removed before each run: nothing of an earlier build is
//     reused, so the index is built whole, every article counted, as the rest of the site is
//     and reports the build time, the "build the search index" stage and its share, the bytes
//     and files of OUT/search/, and the balance of the term shards (largest against median);
//  3. copies the article pages of OUT (only those: Pagefind would skip the rest anyway) into a
//     second folder, marks each page's <article class="article"> with data-pagefind-body (what a
//     Pagefind user does, so that it indexes the article, not the header, collection nav, TOC
//     and footers, as stepbook does), and runs the Pagefind CLI on it (`pagefind --site DIR`);
//  4. serves both outputs with a small static server that gzips text responses (.html .js .json
//     .css .svg .xml .txt, zlib level 6, what a typical static host does; Pagefind's .pagefind,
//     .pf_meta, .pf_index and .pf_fragment files are gzip already and go out as they are) and, in
//     headless Chromium (tests/browser/harness.mjs), measures for each query:
//       - bytes from the focus of the search box until the first results are rendered, and until
//         the network is idle again (stepbook follows its first 5 results with the top 10).
//         "paste": the query arrives in one input event; "typed": it is typed at TYPE_DELAY ms a
//         key (stepbook searches at each key; Pagefind's UI debounces 300 ms). Bytes are what the
//         server sent: response headers + (compressed) body, counted by the server itself, so that
//         requests made from Pagefind's web worker count too. "Before first results" are the
//         requests that reached the server before the marker request (/__mark) the page sends
//         when the results are in the DOM. Each run is a fresh browser context (empty cache);
//         files are served with Cache-Control: max-age=600, as a typical static host does;
//       - cold time: from the (last) input event to the first results in the DOM (paste);
//       - query latency once the index files are cached: the in-page time from the input event to
//         the results in the DOM, alternating between the query and the query minus its last
//         letter (the same shards), median of LAT_RUNS, after both were searched once.
//     stepbook: an article page with its header search box. Pagefind: its default UI
//     (pagefind-ui.js, pageSize 5) on a test page in the copy; for the latency runs only it gets
//     debounceTimeoutMs: 0, as stepbook does not debounce. Its UI shows each result's first
//     image (showImages defaults to true), so those requests count for it ("images").
//  5. prints a table per size.
//
// Pagefind (npm package `pagefind`, PAGEFIND_VERSION, default 1.6.0) is installed by this script
// with npm into $TMPDIR/stepbook-bench-pagefind-<version>/ (reused on the next run), or taken from
// $PAGEFIND_BIN. If it cannot be installed or run, the script says so and goes on without it.
// Environment: STEPBOOK_BIN (default target/release/stepbook), CHROMIUM_PATH (see the harness),
// BENCH_KEEP=1 keeps the generated sites and outputs.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const { launchBrowser, contentTypes } = await import(path.join(repo, 'tests/browser/harness.mjs'));
const bin = process.env.STEPBOOK_BIN || path.join(repo, 'target/release/stepbook');
const gen = path.resolve(repo, '../shared/bench/gen_corpus.py');
const PAGEFIND_VERSION = process.env.PAGEFIND_VERSION || '1.6.0';
const sizes = process.argv.slice(2).map(Number).filter(Boolean);

// A common two-word query, a rare word (a generated pseudo-word in ~0.3% of the articles),
// a typo of a common word ("password"), two common words that often stand apart, and
// questions as readers type them (stop words, a word that is nowhere).
const QUERIES = ['export settings', 'siranmen', 'pasword reset', 'resend code',
  'how do I invite a teammate', "why can't I reset my password"];
const TYPE_DELAY = 150;
const LAT_RUNS = 11;
const BUILD_RUNS = Number(process.env.BUILD_RUNS || 3);
const TEXT = new Set(['.html', '.htm', '.js', '.mjs', '.json', '.css', '.svg', '.xml', '.txt', '.map']);

const now = () => performance.timeOrigin + performance.now();
const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kb = (b) => (b == null ? '-' : b < 1000 ? `${b} B` : b < 1e6 ? `${(b / 1000).toFixed(1)} kB` : `${(b / 1e6).toFixed(2)} MB`);
const ms = (x) => (x == null ? '-' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, ms: now() - t0 }));
  });
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Bytes on disk and as served (gzip level 6 for text, as is for the rest) of some files. */
function sizeOf(files) {
  let bytes = 0, served = 0;
  for (const f of files) {
    const buf = fs.readFileSync(f);
    bytes += buf.length;
    served += TEXT.has(path.extname(f).toLowerCase()) ? zlib.gzipSync(buf).length : buf.length;
  }
  return { files: files.length, bytes, served };
}

/* ---------- Static server that gzips text, and logs what it sent ---------- */

function serveGzip(dir) {
  const root = fs.realpathSync(dir);
  const log = [];
  const gz = new Map();
  const server = http.createServer((req, res) => {
    const start = now();
    const url = req.url || '/';
    let body = Buffer.alloc(0);
    res.on('finish', () => {
      const hdr = typeof res._header === 'string' ? Buffer.byteLength(res._header) : 250;
      log.push({ url: url.split(/[?#]/)[0], status: res.statusCode, start, end: now(), body: body.length, hdr });
    });
    if (url.startsWith('/__mark')) {
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    let rel;
    try { rel = decodeURIComponent(url.split(/[?#]/)[0]); } catch { rel = '/'; }
    let file = path.join(root, rel);
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      body = fs.readFileSync(file);
    } catch {
      body = Buffer.from('not found\n');
      res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    const ext = path.extname(file).toLowerCase();
    const headers = {
      'Content-Type': contentTypes[ext] || 'application/octet-stream',
      'Cache-Control': 'max-age=600',
    };
    if (TEXT.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      if (!gz.has(file)) gz.set(file, zlib.gzipSync(body));
      body = gz.get(file);
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/`,
      log,
      close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
    }));
  });
}

/* ---------- Pagefind ---------- */

async function pagefindBin() {
  if (process.env.PAGEFIND_BIN) return { bin: process.env.PAGEFIND_BIN };
  const dir = path.join(os.tmpdir(), `stepbook-bench-pagefind-${PAGEFIND_VERSION}`);
  const binPath = path.join(dir, 'node_modules/.bin/pagefind');
  if (!fs.existsSync(binPath)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
    const r = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `pagefind@${PAGEFIND_VERSION}`], { cwd: dir });
    if (r.code !== 0 || !fs.existsSync(binPath)) return { error: `npm install pagefind@${PAGEFIND_VERSION} failed:\n${r.out.slice(-1500)}` };
  }
  const v = await run(binPath, ['--version']);
  if (v.code !== 0) return { error: `pagefind --version failed:\n${v.out.slice(-1500)}` };
  return { bin: binPath, version: v.out.trim() };
}

const PF_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind bench</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link href="pagefind/pagefind-ui.css" rel="stylesheet">
<script src="pagefind/pagefind-ui.js"></script>
</head><body><main><div id="search"></div></main>
<script>
  var q = new URLSearchParams(location.search);
  var opts = { element: '#search' };
  if (q.has('debounce')) opts.debounceTimeoutMs = Number(q.get('debounce'));
  window.pagefindUI = new PagefindUI(opts);
</script>
</body></html>
`;

/** Copy the article pages of `out` into `dest`, marked for Pagefind; returns how many. */
function copyForPagefind(out, dest) {
  let n = 0;
  for (const f of walk(out)) {
    if (!f.endsWith('.html')) continue;
    const html = fs.readFileSync(f, 'utf8');
    // The article element: class "article", maybe with modifiers ("article article--toc").
    const open = /<article class="article(?: [^"]*)?"/;
    if (!open.test(html)) continue;
    const to = path.join(dest, path.relative(out, f));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, html.replace(open, (m) => `${m} data-pagefind-body`));
    n++;
  }
  return n;
}

/* ---------- In the browser ---------- */

// Runs in the page: window.__bench.arm(q) returns a promise of the moment (performance.now()
// and epoch ms) the results for q are in the DOM, with how many are shown and the total.
function installProbe(engine) {
  function check(q) {
    if (engine === 'stepbook') {
      const root = document.querySelector('[data-search]');
      if (!root || root.getAttribute('data-query') !== q) return null;
      const shown = root.querySelectorAll('[role="option"]').length;
      const groups = root.querySelectorAll('.search__group').length;
      const m = /^(\d+)\+? articles? match/.exec(root.querySelector('[role="status"]').textContent);
      return { shown: groups, hits: shown, total: m ? Number(m[1]) : 0 };
    }
    const msg = document.querySelector('.pagefind-ui__message');
    if (!msg) return null;
    const text = msg.textContent.trim();
    let total, term;
    // The count is formatted with Intl.NumberFormat ("9,200").
    let m = /^([\d.,\s\u00a0\u202f]+) results? for (.*)$/s.exec(text);
    if (m) { total = Number(m[1].replace(/\D/g, '')); term = m[2]; } else if ((m = /^No results for (.*)$/s.exec(text))) { total = 0; term = m[1]; } else return null;
    if (term.trim().toLowerCase() !== q.trim().toLowerCase()) return null;
    const items = document.querySelectorAll('.pagefind-ui__result').length;
    const links = document.querySelectorAll('.pagefind-ui__result-link').length;
    if (links < Math.min(total, 5) || links < items) return null;
    return { shown: links, hits: links, total };
  }
  document.addEventListener('input', () => { window.__lastInput = performance.now(); }, true);
  window.__bench = {
    arm(q) {
      return new Promise((resolve) => {
        const done = (r) => {
          obs.disconnect();
          const perf = performance.now();
          // Tell the server: what it received before this request was fetched before the results.
          fetch('/__mark', { cache: 'no-store' }).catch(() => {});
          resolve({ ...r, perf, sinceInput: perf - window.__lastInput });
        };
        const obs = new MutationObserver(() => { const r = check(q); if (r) done(r); });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      });
    },
  };
}

function classify(engine, url) {
  const f = url.split('/').pop();
  if (/\.(png|jpe?g|gif|webp|svg)$/i.test(f)) return 'images';
  if (engine === 'stepbook') {
    if (f === 'search.js') return 'engine';
    if (f === 'manifest.js') return 'manifest';
    if (/^t\d+\.js$/.test(f)) return 'terms';
    if (/^d\d+\.js$/.test(f)) return 'docs';
    return f;
  }
  if (f === 'pagefind.js' || f === 'pagefind-worker.js') return 'engine';
  if (f.endsWith('.pagefind')) return 'wasm';
  if (f === 'pagefind-entry.json' || f.endsWith('.pf_meta')) return 'meta';
  if (f.endsWith('.pf_index')) return 'index';
  if (f.endsWith('.pf_fragment')) return 'fragments';
  return f;
}

function summarize(engine, entries) {
  const by = {};
  let bytes = 0;
  entries = entries.filter((e) => e.url !== '/__mark');
  for (const e of entries) {
    const k = classify(engine, e.url);
    by[k] ??= { n: 0, bytes: 0 };
    by[k].n++;
    by[k].bytes += e.body + e.hdr;
    bytes += e.body + e.hdr;
  }
  const parts = Object.entries(by).map(([k, v]) => `${k} ${kb(v.bytes)}${v.n > 1 ? ` in ${v.n}` : ''}`);
  return { bytes, requests: entries.length, parts: parts.join(', ') };
}

async function openPage(browser, url, engine) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await page.addInitScript(installProbe, engine);
  await page.goto(url);
  try { await page.waitForLoadState('networkidle', { timeout: 10_000 }); } catch { /* go on */ }
  const input = page.locator(engine === 'stepbook' ? '[data-search] input' : '.pagefind-ui__search-input').first();
  await input.waitFor();
  return { context, page, input };
}

async function idle(page) {
  try { await page.waitForLoadState('networkidle', { timeout: 10_000 }); } catch { /* go on */ }
  await page.waitForTimeout(600);
}

/** Bytes from focus to the first results, and to the network idle again. */
async function firstResults(browser, srv, url, engine, q, mode) {
  const mark0 = srv.log.length;
  const { context, page, input } = await openPage(browser, url, engine);
  const mark = srv.log.length;
  const pageLoad = srv.log.slice(mark0, mark);
  try {
    await page.evaluate((q) => { window.__done = window.__bench.arm(q); }, q);
    await input.focus();
    if (mode === 'paste') await input.fill(q);
    else await page.keyboard.type(q, { delay: TYPE_DELAY });
    const r = await Promise.race([
      page.evaluate(() => window.__done),
      new Promise((res) => setTimeout(() => res(null), 30_000)),
    ]);
    await idle(page);
    const all = srv.log.slice(mark);
    if (!r) return { error: 'no results rendered within 30 s', all: summarize(engine, all) };
    const markAt = all.find((e) => e.url === '/__mark');
    const before = markAt ? all.filter((e) => e.start < markAt.start) : all;
    return {
      ...r,
      coldMs: r.sinceInput,
      before: summarize(engine, before),
      all: summarize(engine, all),
      pageLoad,
    };
  } finally {
    await context.close();
  }
}

/** Cached latency: in-page input event -> results in the DOM, alternating q and q minus a letter. */
async function latency(browser, srv, url, engine, q) {
  const { context, page, input } = await openPage(browser, url, engine);
  const short = q.slice(0, -1);
  const set = (v) => page.evaluate(async ({ v, sel }) => {
    const p = window.__bench.arm(v);
    const el = document.querySelector(sel);
    el.value = v;
    const t0 = performance.now();
    el.dispatchEvent(new Event('input', { bubbles: true }));
    const r = await Promise.race([p, new Promise((res) => setTimeout(() => res(null), 20_000))]);
    return r && r.perf - t0;
  }, { v, sel: engine === 'stepbook' ? '[data-search] input' : '.pagefind-ui__search-input' });
  try {
    await input.focus();
    for (const v of [q, short, q, short]) {
      await set(v);
      await idle(page);
    }
    const mark = srv.log.length;
    const times = [];
    for (let i = 0; i < LAT_RUNS; i++) {
      times.push(await set(i % 2 ? short : q));
      if (times[i] == null) break; // no results seen: do not wait for the rest
      await page.waitForTimeout(150);
    }
    const extra = summarize(engine, srv.log.slice(mark));
    return { median: median(times), times, fetched: extra, failed: times.filter((x) => x == null).length };
  } finally {
    await context.close();
  }
}

async function browserRuns(browser, engine, dir, pagePath) {
  const srv = await serveGzip(dir);
  const url = srv.url + pagePath;
  const out = { queries: {}, pageLoad: null };
  try {
    for (const q of QUERIES) {
      const paste = await firstResults(browser, srv, url, engine, q, 'paste');
      const typed = await firstResults(browser, srv, url, engine, q, 'typed');
      const lat = await latency(browser, srv, engine === 'pagefind' ? url + '?debounce=0' : url, engine, q);
      out.queries[q] = { paste, typed, lat };
      if (!out.pageLoad && paste.pageLoad) {
        const re = engine === 'stepbook' ? /\/assets\/search(-ui)?\.(js|css)$/ : /\/pagefind\/pagefind-ui\.(js|css)$/;
        out.pageLoad = summarize(engine, paste.pageLoad.filter((e) => re.test(e.url)));
      }
    }
  } finally {
    await srv.close();
  }
  return out;
}

/* ---------- One size ---------- */

async function benchSize(browser, n, pf) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `stepbook-bench-search-${n}-`));
  const site = path.join(work, 'site');
  const out = path.join(work, 'out');
  const pfDir = path.join(work, 'pagefind-site');
  const res = { n, load: os.loadavg().map((x) => x.toFixed(1)).join(' ') };
  try {
    process.stderr.write(`[${n}] generating the corpus...\n`);
    execFileSync('python3', [gen, '--articles', String(n), '--out', site], { stdio: 'ignore' });

    process.stderr.write(`[${n}] stepbook build...\n`);
    const builds = [];
    for (let i = 0; i < BUILD_RUNS; i++) {
      fs.rmSync(out, { recursive: true, force: true });
      const b = await run(bin, ['build', '--force', '--dest', out, '--timings'], { cwd: site });
      if (b.code !== 0) throw new Error(`stepbook build failed (${b.code}):\n${b.out.slice(-3000)}`);
      const idx = /([\d.]+) ms\s+build the search index/.exec(b.out);
      const tot = /built (\d+) pages? \((\d+) files[^)]*\) in (\d+) ms/.exec(b.out);
      builds.push({ wallMs: b.ms, buildMs: tot && Number(tot[3]), indexMs: idx && Number(idx[1]), pages: tot && Number(tot[1]) });
    }
    const shares = builds.map((b) => b.indexMs / b.buildMs);
    res.sb = {
      wallMs: median(builds.map((b) => b.wallMs)),
      buildMs: median(builds.map((b) => b.buildMs)),
      indexMs: median(builds.map((b) => b.indexMs)),
      share: median(shares),
      builds,
      pages: builds[0].pages,
      index: sizeOf(walk(path.join(out, 'search'))),
      runtime: sizeOf(['search.js', 'search-ui.js', 'search.css'].map((f) => path.join(out, 'assets', f)).filter(fs.existsSync)),
    };
    const manifest = fs.readFileSync(path.join(out, 'search/manifest.js'), 'utf8');
    res.sb.manifest = JSON.parse(/\((\{.*\})\)/.exec(manifest)[1]);
    const docsFiles = walk(path.join(out, 'search')).filter((f) => /\/d\d+\.js$/.test(f));
    const termFiles = walk(path.join(out, 'search')).filter((f) => /\/t\d+\.js$/.test(f));
    res.sb.docs = sizeOf(docsFiles);
    res.sb.terms = sizeOf(termFiles);
    const shardBytes = termFiles.map((f) => fs.statSync(f).size);
    res.sb.balance = { median: median(shardBytes), max: Math.max(...shardBytes) };

    const article = walk(path.join(site, 'content')).filter((f) => f.endsWith('.md') && !f.endsWith('_index.md')).sort()[0];
    const pagePath = path.relative(path.join(site, 'content'), article).replace(/\.md$/, '.html').split(path.sep).join('/');

    if (pf.bin) {
      process.stderr.write(`[${n}] pagefind...\n`);
      const copied = copyForPagefind(out, pfDir);
      const r = await run(pf.bin, ['--site', pfDir]);
      if (r.code !== 0) {
        res.pf = { error: `pagefind failed (${r.code}):\n${r.out.slice(-1500)}` };
      } else {
        fs.writeFileSync(path.join(pfDir, 'pagefind-bench.html'), PF_PAGE);
        const all = walk(path.join(pfDir, 'pagefind'));
        const data = all.filter((f) => /\.(pf_index|pf_fragment|pf_meta)$/.test(f) || f.endsWith('pagefind-entry.json'));
        const used = ['pagefind.js', 'pagefind-worker.js', 'pagefind-ui.js', 'pagefind-ui.css'].map((f) => path.join(pfDir, 'pagefind', f))
          .concat(all.filter((f) => f.endsWith('.pagefind')));
        const fin = /Finished in ([\d.]+) seconds/.exec(r.out);
        const pages = /Indexed (\d+) pages/.exec(r.out);
        res.pf = {
          copied,
          wallMs: r.ms,
          ownMs: fin ? Number(fin[1]) * 1000 : null,
          pages: pages ? Number(pages[1]) : null,
          index: sizeOf(data),
          folder: sizeOf(all),
          runtime: sizeOf(used.filter(fs.existsSync)),
          index_: sizeOf(all.filter((f) => f.endsWith('.pf_index'))),
          fragments: sizeOf(all.filter((f) => f.endsWith('.pf_fragment'))),
        };
      }
    }

    process.stderr.write(`[${n}] browser: stepbook...\n`);
    res.sb.browser = await browserRuns(browser, 'stepbook', out, pagePath);
    if (res.pf && !res.pf.error) {
      process.stderr.write(`[${n}] browser: pagefind...\n`);
      try {
        res.pf.browser = await browserRuns(browser, 'pagefind', pfDir, 'pagefind-bench.html');
      } catch (e) {
        res.pf.browserError = String(e && e.stack || e);
      }
    }
  } finally {
    if (process.env.BENCH_KEEP) process.stderr.write(`[${n}] kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  return res;
}

/* ---------- Report ---------- */

function table(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '').padEnd(w[i])).join('  ').trimEnd()).join('\n');
}

function report(res, pf) {
  const { sb } = res;
  const p = res.pf && !res.pf.error ? res.pf : null;
  const pfName = pf.version ? `Pagefind ${pf.version.replace(/^pagefind\s*/i, '')}` : 'Pagefind';
  const lines = [];
  const m = sb.manifest;
  const brief = { v: m.v, articles: m.articles, per: m.per, buckets: m.buckets, shards: m.shards?.length ?? m.shards, split: m.more?.length ?? 0 };
  lines.push(`\n=== ${res.n} articles (stepbook: ${sb.pages} pages; manifest ${JSON.stringify(brief)}; load average at start ${res.load}) ===`);
  if (!pf.bin) lines.push(`Pagefind: not available (${pf.error.split('\n')[0]})`);
  else if (res.pf?.error) lines.push(`Pagefind: ${res.pf.error}`);
  else if (res.pf?.browserError) lines.push(`Pagefind browser runs failed: ${res.pf.browserError.split('\n')[0]}`);
  const rows = [['', 'stepbook', p ? pfName : '']];
  rows.push(['index on disk: bytes / files', `${sb.index.bytes.toLocaleString('en')} / ${sb.index.files}`, p ? `${p.index.bytes.toLocaleString('en')} / ${p.index.files}` : '']);
  rows.push(['  of which terms / docs', `${kb(sb.terms.bytes)} (${sb.terms.files}) / ${kb(sb.docs.bytes)} (${sb.docs.files})`,
    p ? `index ${kb(p.index_.bytes)} (${p.index_.files}) / fragments ${kb(p.fragments.bytes)} (${p.fragments.files})` : '']);
  rows.push(['index as served (gzip)', kb(sb.index.served), p ? kb(p.index.served) : '']);
  rows.push(['term shards: largest / median', `${kb(sb.balance.max)} / ${kb(sb.balance.median)} (${(sb.balance.max / sb.balance.median).toFixed(2)}x)`, '']);
  rows.push(['search code: raw / served', `${kb(sb.runtime.bytes)} / ${kb(sb.runtime.served)} (${sb.runtime.files} files)`,
    p ? `${kb(p.runtime.bytes)} / ${kb(p.runtime.served)} (${p.runtime.files} files; folder ${kb(p.folder.bytes)}, ${p.folder.files} files)` : '']);
  rows.push([`build time (median of ${sb.builds.length})`, `${ms(sb.buildMs)} (wall ${ms(sb.wallMs)}; runs ${sb.builds.map((b) => b.buildMs).join(', ')} ms)`, '']);
  rows.push(['index time', `${ms(sb.indexMs)} = ${(100 * sb.share).toFixed(1)}% of the build (runs ${sb.builds.map((b) => b.indexMs).join(', ')} ms)`,
    p ? `${ms(p.wallMs)} wall (own ${ms(p.ownMs)}; ${p.pages} pages)` : '']);
  const bs = sb.browser, bp = p?.browser;
  rows.push(['search code at page load', bs.pageLoad ? `${kb(bs.pageLoad.bytes)} (${bs.pageLoad.requests} req)` : '-',
    bp?.pageLoad ? `${kb(bp.pageLoad.bytes)} (${bp.pageLoad.requests} req)` : '']);
  const fmtFirst = (r) => (!r ? '' : r.error ? `FAILED: ${r.error}` : `${kb(r.before.bytes)} (${r.before.requests} req); idle ${kb(r.all.bytes)}`);
  for (const mode of ['paste', 'typed']) {
    rows.push([`bytes before first results (${mode})`, '', '']);
    for (const q of QUERIES) rows.push([`  "${q}"`, fmtFirst(bs.queries[q][mode]), fmtFirst(bp?.queries[q]?.[mode])]);
    const med = (b) => b && median(QUERIES.map((q) => b.queries[q]?.[mode]?.before?.bytes));
    const medAll = (b) => b && median(QUERIES.map((q) => b.queries[q]?.[mode]?.all?.bytes));
    const maxOf = (b) => b && Math.max(...QUERIES.map((q) => b.queries[q]?.[mode]?.before?.bytes ?? 0));
    rows.push(['  median', `${kb(med(bs))}; idle ${kb(medAll(bs))}`, bp ? `${kb(med(bp))}; idle ${kb(medAll(bp))}` : '']);
    rows.push(['  largest', kb(maxOf(bs)), bp ? kb(maxOf(bp)) : '']);
  }
  rows.push(['results: total (shown)', QUERIES.map((q) => { const r = bs.queries[q].paste; return r.error ? '?' : `${r.total} (${r.shown})`; }).join(' | '),
    bp ? QUERIES.map((q) => { const r = bp.queries[q]?.paste; return !r || r.error ? '?' : `${r.total} (${r.shown})`; }).join(' | ') : '']);
  rows.push(['cold: input -> first results (paste)', QUERIES.map((q) => ms(bs.queries[q].paste.coldMs)).join(' | '),
    bp ? QUERIES.map((q) => ms(bp.queries[q]?.paste?.coldMs)).join(' | ') : '']);
  const fmtLat = (l) => (!l ? '' : `${ms(l.median)}${l.failed ? ` (${l.failed} timed out)` : ''}${l.fetched.requests ? ` [+${l.fetched.requests} req: ${l.fetched.parts}]` : ''}`);
  rows.push(['query latency, cached (median)', '', '']);
  for (const q of QUERIES) rows.push([`  "${q}" / "${q.slice(0, -1)}"`, fmtLat(bs.queries[q].lat), fmtLat(bp?.queries[q]?.lat)]);
  rows.push(['  median of the medians', ms(median(QUERIES.map((q) => bs.queries[q].lat.median))),
    bp ? ms(median(QUERIES.map((q) => bp.queries[q]?.lat?.median))) : '']);
  lines.push(table(rows));
  lines.push('files fetched before first results (paste), bytes by kind "in N" requests:');
  for (const q of QUERIES) {
    lines.push(`  "${q}"  stepbook: ${bs.queries[q].paste.before?.parts || '-'}`);
    if (bp) lines.push(`  "${q}"  pagefind: ${bp.queries[q]?.paste?.before?.parts || '-'}`);
  }
  lines.push('files fetched until idle (typed), bytes by kind "in N" requests:');
  for (const q of QUERIES) {
    lines.push(`  "${q}"  stepbook: ${bs.queries[q].typed.all?.parts || '-'}`);
    if (bp) lines.push(`  "${q}"  pagefind: ${bp.queries[q]?.typed?.all?.parts || '-'}`);
  }
  console.log(lines.join('\n'));
}

/* ---------- Main ---------- */

if (!fs.existsSync(bin)) {
  console.error(`stepbook binary not found at ${bin}: run cargo build --release (or set STEPBOOK_BIN)`);
  process.exit(1);
}
console.log(`stepbook search benchmark: ${bin}; queries ${QUERIES.map((q) => JSON.stringify(q)).join(', ')}; ` +
  `typed at ${TYPE_DELAY} ms/key; latency: median of ${LAT_RUNS}; bytes = response headers + body as sent (text gzip -6)`);
const pf = await pagefindBin().catch((e) => ({ error: String(e) }));
if (!pf.bin) console.log(`note: Pagefind is not available, going on without it: ${pf.error}`);
else console.log(`Pagefind: ${pf.bin} (${pf.version || 'version unknown'}); indexes the article pages, each marked with data-pagefind-body`);
const browser = await launchBrowser();
try {
  for (const n of sizes.length ? sizes : [1000, 10000]) {
    const res = await benchSize(browser, n, pf);
    report(res, pf);
  }
} finally {
  await browser.close();
}
