// Helpers for the search tests: load the query engine under Node, run a built index from
// disk, and write a small hand-made index that follows docs/search-index.md (format 2),
// written apart from the Rust builder, to test the engine on exact data.

import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { repoRoot } from './harness.mjs';

const require = createRequire(import.meta.url);

/** The engine (themes/default/static/assets/search.js) as a CommonJS module. */
export const engine = require(path.join(repoRoot, 'themes/default/static/assets/search.js'));

/** A search over the index files in `dir` (a built site), loaded from disk. */
export function searchSite(dir) {
  const loaded = [];
  const s = engine.createSearch(async (rel) => {
    loaded.push(rel);
    const code = await fs.readFile(path.join(dir, ...rel.split('/')), 'utf8');
    new Function('stepbookSearch', code)(s.receiver);
  });
  s.loaded = loaded;
  return s;
}

/** A search over in-memory index files ({path: text}, as `makeIndex` returns). */
export function searchFiles(files) {
  const loaded = [];
  const s = engine.createSearch(async (rel) => {
    loaded.push(rel);
    if (!(rel in files)) throw new Error(`no index file ${rel}`);
    new Function('stepbookSearch', files[rel])(s.receiver);
  });
  s.loaded = loaded;
  return s;
}

/** Does `dir` (a built site) hold a search index? */
export function hasIndex(dir) {
  return existsSync(path.join(dir, 'search', 'manifest.js'));
}

/** Flatten a result into its hits, in the order the UI shows them. */
export function hitsOf(result) {
  return result.groups.flatMap((g) => g.hits);
}

// ---------------------------------------------------------------------------
// A hand-made index, encoded per docs/search-index.md
// ---------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function varint(n) {
  let out = '';
  do {
    let d = n & 31;
    n = Math.floor(n / 32);
    if (n) d |= 32;
    out += B64[d];
  } while (n);
  return out;
}

/**
 * Postings string for [[id, score, [units...]], ...] in ascending id order: id delta, score,
 * number of units, unit deltas (each unit as `unit × 2`, plus 1 when in its label).
 */
export function encodePostings(list) {
  let prev = 0;
  let out = '';
  list.forEach(([id, score, units = [0]], i) => {
    out += varint(i === 0 ? id : id - prev) + varint(score) + varint(units.length);
    units.forEach((u, k) => { out += varint(k === 0 ? u : u - units[k - 1]); });
    prev = id;
  });
  return out;
}

/** The shortest start of `term` that sorts after `before`. */
function separator(before, term) {
  const chars = Array.from(term);
  for (let n = 1; n < chars.length; n++) {
    const p = chars.slice(0, n).join('');
    if (p > before) return p;
  }
  return term;
}

/**
 * The postings of a term ([[id, score, units], ...] in ascending id) in pieces of at most
 * `max` characters: one when they fit; else the head (the best scores, then a unit label
 * holding the term, then the lowest id) last, the rest before it in id order.
 */
function pieces(list, max) {
  const whole = encodePostings(list);
  if (whole.length <= max) return [whole];
  const best = [...list].sort((a, b) => b[1] - a[1] || (b[2].some((u) => u & 1) - a[2].some((u) => u & 1)) || a[0] - b[0]);
  let n = 1;
  while (n < best.length && encodePostings(best.slice(0, n + 1).sort((a, b) => a[0] - b[0])).length <= max) n++;
  const head = new Set(best.slice(0, n));
  const out = [];
  let piece = [];
  for (const p of list.filter((p) => !head.has(p))) {
    if (piece.length && encodePostings([...piece, p]).length > max) { out.push(encodePostings(piece)); piece = []; }
    piece.push(p);
  }
  if (piece.length) out.push(encodePostings(piece));
  out.push(encodePostings(list.filter((p) => head.has(p))));
  return out;
}

/**
 * Index files (format 2) for `articles`, records as docs/search-index.md defines them
 * ({t, u, c, d, x, n: [[kind, id, parent, label, text], ...]}): BM25 over title (boost 4),
 * description and labels (2), intro and unit texts (1), stop words only outside the body;
 * terms sorted and cut into shards of about `shardBytes`, postings longer than that split
 * over shards of their own, their head last. Returns {path: file text}.
 */
export function makeIndex(articles, { shardBytes = 400, per = 2 } = {}) {
  const { tokenize, STOP_WORDS } = engine;
  const stop = new Set(STOP_WORDS);
  // For each article, its fields and for each token the units it is in.
  const counted = articles.map((a) => {
    const fields = [[], [], []];
    const units = new Map();
    // term -> Map(unit -> in its label)
    const add = (f, unit, label, text) => {
      for (const t of tokenize(text || '')) {
        if (f === 2 && stop.has(t)) continue;
        fields[f].push(t);
        if (!units.has(t)) units.set(t, new Map());
        units.get(t).set(unit, units.get(t).get(unit) || label);
      }
    };
    add(0, 0, true, a.t);
    add(1, 0, false, a.d);
    add(2, 0, false, a.x);
    (a.n || []).forEach((n, i) => {
      if (n[0] !== 1) add(1, i + 1, true, n[3]);
      add(2, i + 1, false, n[4]);
    });
    return { fields, units };
  });
  const boosts = [4, 2, 1];
  const N = articles.length;
  const avg = [0, 1, 2].map((f) => counted.reduce((n, d) => n + d.fields[f].length, 0) / N || 1);
  const df = new Map();
  counted.forEach((d) => d.units.forEach((_, t) => df.set(t, (df.get(t) || 0) + 1)));
  const raw = new Map(); // term -> [[id, score, units]]
  let max = 0;
  counted.forEach((d, id) => {
    d.units.forEach((units, t) => {
      let s = 0;
      d.fields.forEach((toks, f) => {
        const n = toks.filter((x) => x === t).length;
        if (!n) return;
        const norm = 1 - 0.75 + (0.75 * toks.length) / avg[f];
        s += (boosts[f] * n * 2.2) / (n + 1.2 * norm);
      });
      s *= Math.log(1 + (N - df.get(t) + 0.5) / (df.get(t) + 0.5));
      max = Math.max(max, s);
      if (!raw.has(t)) raw.set(t, []);
      raw.get(t).push([id, s, [...units].map(([u, label]) => u * 2 + (label ? 1 : 0)).sort((x, y) => x - y)]);
    });
  });
  const terms = [...raw.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shards = [];
  const first = [];
  const more = [];
  let body = {};
  let size = 0;
  let last = '';
  for (const t of terms) {
    const list = raw.get(t).map(([id, s, u]) => [id, Math.max(1, Math.min(31, Math.ceil(Math.sqrt(s / max) * 31))), u]);
    pieces(list, shardBytes).forEach((enc, p) => {
      if (p > 0 || !first.length || size + t.length + enc.length > shardBytes) {
        if (first.length) shards.push(body);
        if (p > 0) more.push(first.length);
        first.push(p > 0 ? t : first.length ? separator(last, t) : '');
        body = {};
        size = 0;
      }
      body[t] = enc;
      size += t.length + enc.length + 6;
    });
    last = t;
  }
  shards.push(body);
  const buckets = Math.ceil(N / per);
  const files = {
    'search/manifest.js': `stepbookSearch.manifest(${JSON.stringify({
      v: 2, articles: N, per, buckets, shards: first, more,
    })});\n`,
  };
  shards.forEach((obj, k) => {
    files[`search/t${k}.js`] = `stepbookSearch.terms(${k},${JSON.stringify(obj)});\n`;
  });
  for (let b = 0; b < buckets; b++) {
    const list = articles.slice(b * per, b * per + per).map((a) => ({
      t: a.t, u: a.u, c: a.c || '', d: a.d || '', x: a.x || '', n: a.n || [],
    }));
    files[`search/d${b}.js`] = `stepbookSearch.docs(${b},${JSON.stringify(list)});\n`;
  }
  return files;
}

/**
 * Forty notes that all hold "backup", in the title of every eighth one (where it scores
 * highest): with `makeIndex(backupNotes(), { shardBytes: 60 })` its postings are split.
 */
export function backupNotes() {
  return Array.from({ length: 40 }, (_, i) => ({
    t: i % 8 === 0 ? `Backup plan ${i}` : `Note ${i}`,
    u: `n${i}.html`,
    x: `Keep a backup of the notes, file${i}.`,
  }));
}

/**
 * The forty notes, then "Restore notes" (id 40), which holds "backup" only in its text,
 * beside "restore", and three restore drills (41 to 43) without "backup". A quick search for
 * "backup restore" sees only the head of "backup" (the notes with it in their title) and
 * ranks a drill first; a full search finds "backup" in "Restore notes" too, and ranks it
 * first.
 */
export function restoreNotes() {
  return [
    ...backupNotes(),
    { t: 'Restore notes', u: 'restore.html', x: 'Restore the notes from a backup.' },
    ...[0, 1, 2].map((i) => ({ t: `Restore drill ${i}`, u: `drill${i}.html`, x: 'Practice to restore.' })),
  ];
}

/** The shard (by number) whose range holds `term`, in files from `makeIndex`. */
export function shardOfTerm(files, term) {
  const code = files['search/manifest.js'];
  const { shards } = JSON.parse(code.slice(code.indexOf('(') + 1, code.lastIndexOf(')')));
  let k = 0;
  while (k + 1 < shards.length && shards[k + 1] <= term) k++;
  return k;
}

/** Write index files into `dir`/search (replacing any there). */
export async function writeIndex(dir, files) {
  await fs.rm(path.join(dir, 'search'), { recursive: true, force: true });
  await fs.mkdir(path.join(dir, 'search'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await fs.writeFile(path.join(dir, ...rel.split('/')), text);
  }
}
