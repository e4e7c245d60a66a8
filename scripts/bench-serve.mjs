#!/usr/bin/env node
// Save-to-screen latency of `stepbook serve`: the time from a save to the open page in
// headless Chromium showing the change, for each kind of edit (body, title, description,
// tags, a new slug, a new article, a deletion, a rename, a replaced image, a template, a
// stylesheet, book.toml), median of several edits at each size, with the server's part
// (save -> the page's `update`, `reload` or `css` event arrives).
// `KINDS=body,title` runs only those.
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
import zlib from 'node:zlib';

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

// A PNG of `width` x `height` grey pixels: a real image, so that the page shows it as well
// as its size.
function png(width, height) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  // Each row: filter type 0, then one byte a pixel.
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
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
  const collection = path.dirname(article);
  const collectionUrl = path.relative(path.join(dir, 'content'), collection) + '/index.html';
  const page = await browser.newPage();
  const open = async (url) => {
    await page.goto(srv.url + url);
    await page.waitForFunction(() => document.documentElement.getAttribute('data-stepbook-live') === 'connected');
    // A stream of our own that notes when each update or reload event reaches the page.
    await page.evaluate(() => {
      window.__updates = [];
      const events = new EventSource('/__stepbook/events');
      for (const e of ['update', 'reload', 'css']) events.addEventListener(e, () => window.__updates.push(Date.now()));
      return new Promise((resolve) => events.addEventListener('hello', resolve));
    });
  };
  const setKey = (file, key, value) => {
    const text = fs.readFileSync(file, 'utf8');
    const re = new RegExp(`^${key}:.*$`, 'm');
    const line = `${key}: ${JSON.stringify(value)}`;
    fs.writeFileSync(file, re.test(text) ? text.replace(re, line) : text.replace(/^---\n/, `---\n${line}\n`));
  };
  const base = path.join(repo, 'themes/default/templates/base.html');
  const override = path.join(dir, 'themes/default/templates/base.html');
  const css = path.join(repo, 'themes/default/static/assets/stepbook.css');
  const cssOverride = path.join(dir, 'themes/default/static/assets/stepbook.css');
  // The article's first image: replaced by one of another size at each edit.
  const image = (() => {
    const m = fs.readFileSync(article, 'utf8').match(/!\[[^\]]*\]\(([^)\s]+\.png)\)/);
    return m && path.resolve(path.dirname(article), m[1]);
  })();
  const slug = (m) => `s-${m.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  // The marker's own number, for sizes that differ at every edit.
  const width = (m) => 200 + Number(m.split(' ').at(-2));
  // Each kind of edit: the page that shows it, the edit, and what the page shows after it.
  const kinds = {
    body: { url: rel, edit: (m) => fs.appendFileSync(article, `\n${m}\n`), shows: (m) => (document.body ? document.body.textContent : '').includes(m) },
    title: { url: rel, edit: (m) => setKey(article, 'title', m), shows: (m) => document.title.includes(m) },
    description: {
      url: rel,
      edit: (m) => setKey(article, 'description', m),
      shows: (m) => document.querySelector('meta[name="description"]')?.content === m,
    },
    tags: { url: rel, edit: (m) => setKey(article, 'tags', [m]), shows: (m) => (document.body ? document.body.textContent : '').includes(m) },
    slug: {
      url: collectionUrl,
      edit: (m) => setKey(article, 'slug', slug(m)),
      shows: (s) => [...document.querySelectorAll('a')].some((a) => (a.getAttribute('href') || '').includes(s)),
      marker: slug,
      // The article goes back to its own address, where the kinds after this one open it.
      after: () => fs.writeFileSync(article, fs.readFileSync(article, 'utf8').replace(/^slug:.*\n/m, '')),
    },
    'new article': {
      url: collectionUrl,
      edit: (m) => fs.writeFileSync(path.join(collection, `${m.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.md`), `---\ntitle: ${m}\n---\nNew.\n`),
      shows: (m) => (document.body ? document.body.textContent : '').includes(m),
    },
    deletion: {
      url: collectionUrl,
      prepare: (m) => fs.writeFileSync(path.join(collection, 'to-delete.md'), `---\ntitle: ${m}\n---\nGone soon.\n`),
      edit: () => fs.rmSync(path.join(collection, 'to-delete.md')),
      shows: (m) => !(document.body ? document.body.textContent : '').includes(m),
      before: (m) => (document.body ? document.body.textContent : '').includes(m),
    },
    rename: {
      url: collectionUrl,
      prepare: (m) => fs.writeFileSync(path.join(collection, 'to-rename.md'), `---\ntitle: Renamed ${m}\n---\nMoving.\n`),
      edit: (m) => fs.renameSync(path.join(collection, 'to-rename.md'), path.join(collection, `r-${m.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.md`)),
      shows: (m) => [...document.querySelectorAll('a')].some((a) => (a.getAttribute('href') || '').includes(`r-${m.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`)),
      before: (m) => (document.body ? document.body.textContent : '').includes(`Renamed ${m}`),
    },
    template: {
      url: rel,
      edit: (m) => {
        fs.mkdirSync(path.dirname(override), { recursive: true });
        fs.writeFileSync(override, fs.readFileSync(base, 'utf8').replace('</footer>', `<p>${m}</p></footer>`));
      },
      shows: (m) => (document.body ? document.body.textContent : '').includes(m),
      edits: 3,
    },
    image: {
      url: rel,
      edit: (m) => fs.writeFileSync(image, png(width(m), 40)),
      shows: (w) => [...document.querySelectorAll('main img')].some((i) => i.getAttribute('width') === String(w) && i.naturalWidth === w),
      marker: width,
    },
    stylesheet: {
      url: rel,
      edit: (m) => {
        fs.mkdirSync(path.dirname(cssOverride), { recursive: true });
        fs.writeFileSync(cssOverride, `${fs.readFileSync(css, 'utf8')}\n:root { --bench-marker: "${m}"; }\n`);
      },
      shows: (m) => getComputedStyle(document.documentElement).getPropertyValue('--bench-marker').includes(m),
    },
    'book.toml': {
      url: rel,
      edit: (m) => fs.writeFileSync(path.join(dir, 'book.toml'), `[book]\ntitle = "${m}"\n`),
      shows: (m) => document.title.includes(m),
      edits: 3,
    },
  };
  const only = process.env.KINDS ? process.env.KINDS.split(',') : Object.keys(kinds);
  for (const name of only) {
    const kind = kinds[name];
    if (!kind) throw new Error(`no kind of edit named ${name}: ${Object.keys(kinds).join(', ')}`);
    if (name === 'image' && !image) throw new Error(`${article} shows no PNG image to replace`);
    await open(kind.url);
    const times = [];
    const server = [];
    for (let i = 0; i < (kind.edits || EDITS); i++) {
      const marker = `Edit marker ${n} ${name} ${i} ${Math.random().toString(36).slice(2)}`;
      if (kind.prepare) {
        kind.prepare(marker);
        await page.waitForFunction(kind.before, marker, { polling: 'raf', timeout: 120_000 });
        await page.waitForTimeout(PAUSE);
      }
      // What the page shows of the edit, when it is not the marker itself.
      const shown = kind.marker ? kind.marker(marker) : marker;
      const seen = page.waitForFunction(kind.shows, shown, { polling: 'raf', timeout: 120_000 })
        .catch((e) => { throw new Error(`${name}: the page never showed edit ${i}: ${e.message}`); });
      const start = Date.now();
      kind.edit(marker);
      await seen;
      const end = Date.now();
      times.push(end - start);
      const event = await page.evaluate((t) => (window.__updates || []).find((u) => u >= t), start);
      if (event !== undefined) server.push(event - start);
      await page.waitForTimeout(PAUSE);
    }
    if (kind.after) {
      kind.after();
      // Until the article is served at its own address again.
      for (let t = Date.now(); (await fetch(srv.url + rel)).status !== 200; ) {
        if (Date.now() - t > 120_000) throw new Error(`${name}: ${rel} never came back`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    console.log(`  ${n} ${name}: save -> page shows it median ${median(times)} ms (min ${Math.min(...times)}, max ${Math.max(...times)}), ${server.length ? `server part median ${median(server)} ms` : 'server part not seen (the page reloaded, and its record of events with it)'}`);
  }
  await page.close();
  srv.child.kill();
  const rebuilds = [...srv.log().matchAll(/rebuilt \d+ files? of \d+ pages in (\d+) ms/g)].map((m) => Number(m[1]));
  console.log(`${n} articles: serve ready in ${startup} ms; engine rebuild median ${median(rebuilds)} ms over ${rebuilds.length} rebuilds`);
  fs.rmSync(dir, { recursive: true, force: true });
}
await browser.close();
