// Search quality over a set of realistic queries (tests/search-queries.json), many of them
// questions as readers type them: the bundled site, the reference article, a fixture of
// this folder and the two corpora in /work/shared/corpus, searched with the real engine
// over the index `stepbook build` writes. Prints hit@1 and hit@3 and asserts that at least
// 90% of the expected results are in the top 3.
//
// An expected `#anchor` (or `page.html#anchor`) is a hit, in the order the search box shows
// hits; an expected URL path (`dir/page.html`) is an article. hit@k: it is among the first k.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { buildSite, describeBuild, repoRoot } from './harness.mjs';
import { hasIndex, hitsOf, searchSite } from './search-helpers.mjs';

const QUERIES = JSON.parse(readFileSync(path.join(repoRoot, 'tests', 'search-queries.json'), 'utf8'));
const CORPUS = process.env.STEPBOOK_CORPUS || '/work/shared/corpus';
const SEED = '/work/shared/seeds/turn-on-mfa-in-tiktok-manually.md';
const GOAL = 0.9;

const temp = [];
const builds = {};

/** A site folder for `site` (a name from the query file), created in a temp dir if needed. */
async function siteDir(site) {
  if (site === 'content') return repoRoot;
  if (site.startsWith('fixture:')) return path.join(repoRoot, 'tests', 'browser', 'fixtures', site.slice(8));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-queries-'));
  temp.push(dir);
  if (site === 'reference') {
    await fs.mkdir(path.join(dir, 'content', 'guides'), { recursive: true });
    await fs.writeFile(path.join(dir, 'book.toml'), '[book]\ntitle = "Ref"\n');
    await fs.copyFile(SEED, path.join(dir, 'content', 'guides', path.basename(SEED)));
    return dir;
  }
  const name = site.replace(/^corpus:/, '');
  const content = path.join(CORPUS, name);
  await fs.writeFile(
    path.join(dir, 'book.toml'),
    `[build]\ncontent-dir = ${JSON.stringify(content)}\nlink-check = "warn"\n`,
  );
  return dir;
}

const sites = [...new Set(QUERIES.map((q) => q.site))];
const missing = sites.filter((s) => s.startsWith('corpus:') && !existsSync(path.join(CORPUS, s.slice(7))));

before(async () => {
  for (const site of sites) {
    if (missing.includes(site)) continue;
    const b = await buildSite(await siteDir(site), { timeoutMs: 300_000 });
    assert.equal(b.code, 0, `${site}: ${describeBuild(b)}`);
    assert.ok(hasIndex(b.dir), `${site}: the build wrote no search index`);
    builds[site] = b;
  }
}, { timeout: 600_000 });

after(async () => {
  for (const b of Object.values(builds)) await b.cleanup();
  for (const d of temp) await fs.rm(d, { recursive: true, force: true });
});

/** Is `want` among the top `k` of `result`? */
function found(result, want, k = 3) {
  if (want.startsWith('#')) {
    return hitsOf(result).slice(0, k).some((h) => `#${h.id}` === want);
  }
  if (want.includes('#')) return hitsOf(result).slice(0, k).some((h) => h.url === want);
  return result.groups.slice(0, k).some((g) => g.url === want);
}

test('at least 90% of the expected results are in the top 3', { timeout: 120_000 }, async (t) => {
  let total = 0;
  let hits = 0;
  let first = 0;
  const misses = [];
  const perSite = {};
  for (const q of QUERIES) {
    if (missing.includes(q.site)) continue;
    const s = (builds[q.site].search ??= searchSite(builds[q.site].dir));
    const result = await s.search(q.query);
    for (const want of q.expect) {
      const ok = found(result, want);
      total += 1;
      hits += ok ? 1 : 0;
      first += found(result, want, 1) ? 1 : 0;
      perSite[q.site] ??= [0, 0];
      perSite[q.site][0] += ok ? 1 : 0;
      perSite[q.site][1] += 1;
      if (!ok) {
        const top = hitsOf(result).slice(0, 3).map((h) => h.url);
        misses.push(`${q.site}: "${q.query}" wants ${want}, top 3: ${JSON.stringify(top)}`);
      }
    }
  }
  const share = hits / total;
  const lines = [
    `search quality: ${hits}/${total} expected results in the top 3 (hit@3 ${(share * 100).toFixed(1)}%), ` +
      `${first}/${total} first (hit@1 ${((first / total) * 100).toFixed(1)}%)`,
    ...Object.entries(perSite).map(([s, [h, n]]) => `  ${s}: ${h}/${n}`),
    ...misses.map((m) => `  miss: ${m}`),
    ...missing.map((s) => `  skipped ${s}: not found under ${CORPUS}`),
  ];
  console.log(lines.join('\n'));
  t.diagnostic(lines[0]);
  assert.ok(total >= 60, `only ${total} expectations ran`);
  assert.ok(share >= GOAL, lines.join('\n'));
});
