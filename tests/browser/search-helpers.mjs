// Helpers for the search tests: load the query engine under Node, run a built index from
// disk, and write a small hand-made index that follows docs/search-index.md (used to test
// the engine on exact data, and as a stand-in while a build writes no index).

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

/** Postings string for [[id, score], ...] in ascending id order. */
export function encodePostings(list) {
  let prev = 0;
  let out = '';
  list.forEach(([id, score], i) => {
    out += varint(i === 0 ? id : id - prev) + varint(score);
    prev = id;
  });
  return out;
}

/**
 * Index files for `articles` (objects with the ARTICLE keys t, u, c, d, s, p, o): BM25 over
 * title (boost 4), headings + option labels + questions (2), description + section text +
 * step text (1). Returns {path: file text}.
 */
export function makeIndex(articles, { shards = 4, per = 2 } = {}) {
  const { tokenize, shardOf } = engine;
  const fields = articles.map((a) => [
    tokenize(a.t),
    tokenize([...(a.s || []).map((s) => s[2]), ...(a.o || []).flatMap((o) => [o[1], o[3]])].join(' ')),
    tokenize([a.d, ...(a.s || []).map((s) => s[3]), ...(a.p || []).map((p) => p[3])].join(' ')),
  ]);
  const boosts = [4, 2, 1];
  const avg = [0, 1, 2].map((f) => fields.reduce((n, d) => n + d[f].length, 0) / articles.length || 1);
  const df = new Map();
  fields.forEach((d) => new Set(d.flat()).forEach((t) => df.set(t, (df.get(t) || 0) + 1)));
  const raw = new Map(); // term -> [[id, score]]
  fields.forEach((d, id) => {
    const terms = new Set(d.flat());
    for (const t of terms) {
      let tf = 0;
      d.forEach((toks, f) => {
        const n = toks.filter((x) => x === t).length;
        tf += (boosts[f] * n) / (1 - 0.75 + (0.75 * toks.length) / avg[f]);
      });
      const N = articles.length;
      const idf = Math.log(1 + (N - df.get(t) + 0.5) / (df.get(t) + 0.5));
      const s = (idf * tf * 2.2) / (tf + 1.2);
      if (!raw.has(t)) raw.set(t, []);
      raw.get(t).push([id, s]);
    }
  });
  let max = 0;
  raw.forEach((l) => l.forEach(([, s]) => (max = Math.max(max, s))));
  const shardTerms = Array.from({ length: shards }, () => ({}));
  for (const [t, l] of [...raw].sort()) {
    shardTerms[shardOf(t, shards)][t] = encodePostings(
      l.map(([id, s]) => [id, Math.max(1, Math.min(255, Math.ceil((s / max) * 255)))]),
    );
  }
  const buckets = Math.ceil(articles.length / per);
  const files = {
    'search/manifest.js': `stepbookSearch.manifest(${JSON.stringify({
      v: 1, shards, per, articles: articles.length, buckets,
    })});\n`,
  };
  shardTerms.forEach((obj, k) => {
    files[`search/t${k}.js`] = `stepbookSearch.terms(${k},${JSON.stringify(obj)});\n`;
  });
  for (let b = 0; b < buckets; b++) {
    const list = articles.slice(b * per, b * per + per).map((a) => ({
      t: a.t, u: a.u, c: a.c || '', d: a.d || '', s: a.s || [], p: a.p || [], o: a.o || [],
    }));
    files[`search/d${b}.js`] = `stepbookSearch.docs(${b},${JSON.stringify(list)});\n`;
  }
  return files;
}

/** Write index files into `dir`/search (replacing any there). */
export async function writeIndex(dir, files) {
  await fs.rm(path.join(dir, 'search'), { recursive: true, force: true });
  await fs.mkdir(path.join(dir, 'search'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await fs.writeFile(path.join(dir, ...rel.split('/')), text);
  }
}
