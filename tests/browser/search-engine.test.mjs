// The search query engine (themes/default/static/assets/search.js) under Node: the
// tokenizer and index decoding of docs/search-index.md, matching (any word, stop words,
// prefix, typos, fallback shards), ranking, the smallest unit that holds the words, lazy
// loading; first over hand-made index files,
// then over indexes that `stepbook build` writes for the bundled site and the reference
// article. Needs no browser; the built-index tests need the binary (`cargo build`).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { buildSite, describeBuild, repoRoot } from './harness.mjs';
import {
  encodePostings,
  engine,
  hasIndex,
  hitsOf,
  backupNotes,
  makeIndex,
  restoreNotes,
  searchFiles,
  searchSite,
  shardOfTerm,
} from './search-helpers.mjs';

const { tokenize, decodePostings, parseQuery, near, ranges, snippet } = engine;

/** The text between the ranges' bounds. */
const cut = (text, rs) => rs.map(([a, b]) => text.slice(a, b));

describe('tokens', () => {
  test('fold, split and drop one-letter words as the contract says', () => {
    assert.deepEqual(tokenize("Turn off 2-step verification, Café!"), ['turn', 'off', 'step', 'verification', 'cafe']);
    assert.deepEqual(tokenize('Don’t use the user\'s PIN 42'), ['dont', 'use', 'the', 'users', 'pin', '42']);
    assert.deepEqual(tokenize('Ünïcödé STRASSE a I'), ['unicode', 'strasse']);
    assert.deepEqual(tokenize("'quoted' rock'n'roll"), ['quoted', 'rocknroll']);
  });

  test('CJK runs are cut into bigrams, a lone character stays', () => {
    assert.deepEqual(tokenize('ab東京都cd 日'), ['ab', '東京', '京都', 'cd', '日']);
    assert.deepEqual(tokenize('한국어'), ['한국', '국어']);
    assert.deepEqual(tokenize('カタカナ'), ['カタ', 'タカ', 'カナ']);
  });

  test('postings are delta ids, scores and delta units as base-64 varints', () => {
    const list = [[0, 1, [0]], [3, 31, [1, 4, 40]], [40, 7, [2]], [1000, 16, [0, 3]], [70000, 31, [3]]];
    const got = [...decodePostings(encodePostings(list))].map(([id, p]) => [id, p.s, p.u.map((u, k) => u * 2 + (p.l.includes(u) ? 1 : 0))]);
    assert.deepEqual(got, list.map(([id, s, u]) => [id, s, u]));
    // Article 3 (score 16, unit 1 in its label and unit 3 in its text), then article 10
    // (score 31, unit 0 in its text): written by hand.
    assert.deepEqual([...decodePostings('DQCDDHfBA')].map(([id, p]) => [id, p.s, p.u, p.l]),
      [[3, 16, [1, 3], [1]], [10, 31, [0], []]]);
  });
});

describe('queries', () => {
  test('every token is a word; the last one is a prefix while it is typed', () => {
    const brief = (q) => parseQuery(q).map(({ w, prefix, typo }) => ({ w, prefix, typo }));
    assert.deepEqual(brief('turn off 2-step'), [
      { w: 'turn', prefix: false, typo: false },
      { w: 'off', prefix: false, typo: false },
      { w: 'step', prefix: true, typo: false },
    ]);
    assert.deepEqual(parseQuery('how do I publish my pages').map((q) => [q.w, q.stop]),
      [['how', true], ['do', true], ['publish', false], ['my', true], ['pages', false]]);
    assert.deepEqual(parseQuery('deleting settings').map((q) => q.stem), ['delet', 'setting']);
    assert.deepEqual(parseQuery('shared inbox ').map((q) => q.prefix), [false, false]);
    assert.deepEqual(parseQuery('Verif').map((q) => [q.w, q.prefix, q.typo]), [['verif', true, true]]);
    assert.deepEqual(parseQuery('a b c -'), []);
    assert.deepEqual(parseQuery('step step').map((q) => q.w), ['step']);
  });

  test('edit distance 1 with transpositions', () => {
    for (const [a, b] of [['verification', 'verifcation'], ['verification', 'verificaiton'],
      ['verification', 'vérification'.normalize('NFD').replace(/\p{M}/gu, '')], ['account', 'acount'],
      ['account', 'accounts'], ['account', 'accoumt'], ['settings', 'setitngs']]) {
      assert.ok(near(a, b) && near(b, a), `${a} ~ ${b}`);
    }
    for (const [a, b] of [['account', 'acconut2'], ['verification', 'verifcaton'], ['abcdef', 'badcef']]) {
      assert.ok(!near(a, b), `${a} !~ ${b}`);
    }
  });

  test('ranges mark whole words whose tokens match, snippets keep them', () => {
    const text = 'Click the Shared Inbox button. The Shared-Inbox view; sharedinbox is not it.';
    const set = new Set(['shared', 'inbox']);
    assert.deepEqual(cut(text, ranges(text, (t) => set.has(t))), ['Shared', 'Inbox', 'Shared', 'Inbox']);
    const cafe = 'Un café, s’il vous plaît, at the CAFE';
    assert.deepEqual(cut(cafe, ranges(cafe, (t) => t === 'cafe')), ['café', 'CAFE']);
    assert.deepEqual(cut('東京都に行く', ranges('東京都に行く', (t) => t === '京都')), ['京都']);

    const long = `${'Lorem ipsum dolor sit amet. '.repeat(20)}Then open the Shared Inbox and copy the code. ${'More text here. '.repeat(20)}`;
    const s = snippet(long, (t) => set.has(t), 120);
    assert.ok(s.text.length <= 124, s.text);
    assert.ok(s.text.startsWith('… ') && s.text.endsWith('…'), s.text);
    assert.deepEqual(cut(s.text, s.ranges), ['Shared', 'Inbox']);
    assert.deepEqual(snippet('Short text.', () => false), { text: 'Short text.', ranges: [] });
  });
});

// ---------------------------------------------------------------------------
// A hand-made index
// ---------------------------------------------------------------------------

const MFA = {
  t: 'How to turn on MFA in TikTok manually',
  u: 'guides/mfa.html',
  c: 'Guides',
  d: 'Turn on multi-factor authentication in TikTok with a Cerby-managed phone number.',
  n: [
    [0, 'requirements', 0, 'Requirements', 'An account in Cerby with an Account Owner role.'],
    [0, 'retrieve-the-verification-code-from-cerby', 0, 'Retrieve the verification code from Cerby',
      'To retrieve the verification code, complete the following steps:'],
    [1, '+step-1', 2, 1, 'Open your Cerby workspace in the browser.'],
    [1, '+step-2', 2, 2, 'Click the Shared Inbox button. The Shared Inbox view is displayed.'],
    [0, 'turn-off-mfa', 0, 'Turn off MFA', 'To turn off MFA, complete the following steps:'],
    [1, 'turn-off-mfa-step-1', 5, 1, 'Tap the Turn off button. The Turn off 2-step verification? dialog box is displayed.'],
  ],
};
const PASSWORD = {
  t: 'Change your password',
  u: 'account/change-your-password.html',
  c: 'Account › Security',
  d: 'Reset or change the password you sign in with.',
  n: [
    [0, 'before-you-start', 0, 'Before you start', 'Which sign-in do you use?'],
    [2, 'email', 1, 'Email and password', ''],
    [1, '+step-1', 2, 1, 'Open Settings and choose Security.'],
    [1, '+step-2', 2, 2, 'Enter your current password, then the new one twice.'],
    [2, 'sso', 1, 'Single sign-on', ''],
    [0, 'ask-your-administrator', 5, 'Ask your administrator', 'Your identity provider manages the password.'],
    [1, '+step-1', 6, 1, 'Contact the administrator of your identity provider.'],
  ],
};
// A code that does not arrive: the words are in an option of a choice inside step 2.
const CODE = {
  t: 'Sign in with a code',
  u: 'account/code.html',
  c: 'Account',
  d: '',
  x: 'We send a code to your phone.',
  n: [
    [0, 'get-a-code', 0, 'Get a code', ''],
    [1, '+step-1', 1, 1, 'Open the sign-in page.'],
    [1, '+step-2', 1, 2, 'Enter the code we sent. Did the code arrive?'],
    [2, 'yes', 3, 'Yes', 'Sign in.'],
    [2, 'no', 3, 'No', 'Wait a minute, then choose Resend code.'],
  ],
};
const OTHERS = [
  { t: 'Install the desktop app', u: 'start/install.html', c: 'Get started', d: 'Download and install the app on Windows or macOS.' },
  { t: '東京都の案内', u: 'ja/tokyo.html', c: '日本語', d: '東京都についての記事です。' },
  { t: 'Crème brûlée settings', u: 'cafe.html', c: '', d: 'Don’t forget the café menu.' },
  { t: 'Evacuate the building', u: 'safety/evacuate.html', c: 'Safety', d: 'Leave calmly when the alarm sounds.' },
];
const ARTICLES = [MFA, PASSWORD, CODE, ...OTHERS];

describe('engine over a hand-made index', () => {
  const files = makeIndex(ARTICLES, { shardBytes: 300, per: 2 });
  const shard = (term) => `search/t${shardOfTerm(files, term)}.js`;

  test('"turn off 2-step" finds the step that holds every word, then its section', async () => {
    const r = await searchFiles(files).search('turn off 2-step');
    const hits = hitsOf(r);
    assert.deepEqual(hits.slice(0, 2).map((h) => h.url), ['guides/mfa.html#turn-off-mfa-step-1', 'guides/mfa.html#turn-off-mfa']);
    assert.deepEqual(hits[1].crumbs, ['Guides', MFA.t, 'Turn off MFA']);
    assert.deepEqual(hits[1].path, ['Turn off MFA']);
    assert.deepEqual(hits[0].path, ['Turn off MFA', 'Step 1']);
  });

  test('"shared inbox" finds the step, not the section that only holds it', async () => {
    const hits = hitsOf(await searchFiles(files).search('shared inbox'));
    assert.equal(hits[0].id, 'retrieve-the-verification-code-from-cerby-step-2');
    assert.deepEqual(hits[0].crumbs.slice(-2), ['Retrieve the verification code from Cerby', 'Step 2']);
    assert.ok(!hits.some((h) => h.id === 'retrieve-the-verification-code-from-cerby'));
  });

  test('a word that is missing does not empty the list; words held and their rarity rank', async () => {
    const s = searchFiles(files);
    const mixed = await s.search('password cerby');
    assert.deepEqual(new Set(mixed.groups.map((g) => g.article.t)), new Set([MFA.t, PASSWORD.t]));
    assert.equal((await s.search('qwzxv')).groups.length, 0);
    assert.equal(hitsOf(await s.search('shared inbox qwzxvb'))[0].id, 'retrieve-the-verification-code-from-cerby-step-2');
    assert.equal((await s.search('')).groups.length, 0);
    // "cerby" is in one article, "the" is a stop word: the rare word decides.
    assert.equal((await s.search('the cerby')).groups.length, 1);
  });

  test('stop words need not match; a query of stop words only still finds titles', async () => {
    const s = searchFiles(files);
    const r = await s.search('how do I change my password?');
    assert.equal(r.groups[0].article.t, PASSWORD.t);
    assert.deepEqual(r.groups[0].highlight.sort(), ['change', 'password']);
    assert.equal((await s.search('how to')).groups[0].article.t, MFA.t);
  });

  test('the smallest unit that holds every word wins: an option inside a step', async () => {
    const hits = hitsOf(await searchFiles(files).search('resend code'));
    assert.equal(hits[0].url, 'account/code.html#no');
    assert.equal(hits[0].kind, 'option');
    assert.deepEqual(hits[0].path, ['Get a code', 'Step 2', 'No']);
    assert.equal(hits[0].text, 'Wait a minute, then choose Resend code.');
    assert.ok(!hits.some((h) => h.id === 'get-a-code-step-2' || h.kind === 'article'), JSON.stringify(hits));
  });

  test('the word being typed matches as a prefix, earlier words do not', async () => {
    const s = searchFiles(files);
    const r = await s.search('verif');
    assert.ok(r.groups.length > 0);
    assert.deepEqual(r.groups[0].highlight, ['verification']);
    assert.deepEqual((await s.search('verif code')).words.map((q) => q.terms.size > 0), [false, true]);
    assert.equal((await s.search('passw')).groups[0].article.t, 'Change your password');
  });

  test('one typo in a word of five letters or more', async () => {
    const s = searchFiles(files);
    for (const q of ['verifcation', 'verificaiton', 'passwrd', 'adminstrator', 'verifcat']) {
      const r = await s.search(q);
      assert.ok(r.groups.length > 0, `no results for ${q}`);
    }
    assert.equal((await s.search('pasword')).groups[0].article.t, 'Change your password');
    // Four letters: no typo allowed.
    assert.equal((await s.search('tunr')).groups.length, 0);
    // A typo is a fallback: the exact word wins alone.
    assert.deepEqual((await s.search('install ')).groups.map((g) => g.article.t), ['Install the desktop app']);
  });

  test('typos in the first two letters load the shards of the swapped and the shortened word', async () => {
    assert.notEqual(shardOfTerm(files, 'evrification'), shardOfTerm(files, 'verification'));
    const swapped = searchFiles(files);
    const r = await swapped.search('evrification');
    assert.ok(r.groups.length > 0);
    assert.ok(swapped.loaded.includes(shard('verification')));

    assert.notEqual(shardOfTerm(files, 'xverification'), shardOfTerm(files, 'verification'));
    const longer = searchFiles(files);
    assert.ok((await longer.search('xverification')).groups.length > 0);
    assert.ok((await longer.search('pevacuate')).groups.length > 0);
  });

  test('options and the steps inside them are found and link to their anchors', async () => {
    const s = searchFiles(files);
    const sso = hitsOf(await s.search('single sign-on'));
    const opt = sso[0];
    assert.equal(opt.kind, 'option');
    assert.equal(opt.url, 'account/change-your-password.html#sso');
    assert.deepEqual(opt.crumbs, ['Account', 'Security', 'Change your password', 'Before you start', 'Single sign-on']);

    const step = hitsOf(await s.search('current password'))[0];
    assert.equal(step.url, 'account/change-your-password.html#email-step-2');
    assert.deepEqual(step.path, ['Before you start', 'Email and password', 'Step 2']);

    const inner = hitsOf(await s.search('identity provider contact'))[0];
    assert.equal(inner.id, 'ask-your-administrator-step-1');
    assert.deepEqual(inner.path, ['Before you start', 'Single sign-on', 'Ask your administrator', 'Step 1']);
  });

  test('word variants match earlier words: "changing" finds "change"', async () => {
    const s = searchFiles(files);
    assert.equal((await s.search('changing password')).groups[0]?.article.t, 'Change your password');
    assert.equal((await s.search('turned off mfa')).groups[0]?.article.t, MFA.t);
    // Only known endings: "evacuate" is not a variant of "evac".
    assert.deepEqual((await s.search('evac alarm')).groups[0].highlight, ['alarm']);
  });

  test('headings and titles rank above body text inside an article', async () => {
    const hits = hitsOf(await searchFiles(files).search('administrator'));
    assert.equal(hits[0].id, 'ask-your-administrator');
    assert.equal(hits[1].id, 'ask-your-administrator-step-1');
  });

  test('accents, apostrophes and CJK', async () => {
    const s = searchFiles(files);
    assert.equal((await s.search('creme brulee')).groups[0].article.u, 'cafe.html');
    assert.equal((await s.search('CAFÉ')).groups[0].article.u, 'cafe.html');
    assert.equal((await s.search('dont forget')).groups[0].article.u, 'cafe.html');
    assert.equal((await s.search('東京')).groups[0].article.u, 'ja/tokyo.html');
    assert.equal((await s.search('京都の')).groups[0].article.u, 'ja/tokyo.html');
  });

  test('loads only the manifest, the shards of the words and the buckets of the results', async () => {
    const s = searchFiles(files);
    await s.preload();
    assert.deepEqual(s.loaded, ['search/manifest.js']);
    await s.search('shared inbox');
    // The shards of the words, of the stem of "shared", and of what follows the prefix "inbox".
    const allowed = new Set(['search/manifest.js', shard('shared'), shard('shar'), shard('inbox'),
      `search/t${shardOfTerm(files, 'inbox') + 1}.js`, 'search/d0.js']);
    for (const f of [shard('shared'), shard('inbox'), 'search/d0.js']) assert.ok(s.loaded.includes(f), f);
    for (const f of s.loaded) assert.ok(allowed.has(f), `${f} was loaded`);
    const before = s.loaded.length;
    await s.search('shared inbox');
    await s.search('shared inb');
    assert.equal(s.loaded.length, before, 'cached files were loaded again');
  });

  test('a missing index file rejects, and a later search may retry', async () => {
    const partial = { ...files };
    delete partial[shard('shared')];
    const s = searchFiles(partial);
    await assert.rejects(s.search('shared'));
    await assert.rejects(s.search('shared'));
    assert.equal(s.loaded.filter((f) => f === shard('shared')).length, 2);
  });
});

describe('engine over a hand-made index with split postings', () => {
  const files = makeIndex(backupNotes(), { shardBytes: 60, per: 8 });
  const manifest = JSON.parse(/\((\{.*\})\)/.exec(files['search/manifest.js'])[1]);
  const head = shardOfTerm(files, 'backup');
  const rest = [];
  for (let k = head; manifest.more.includes(k); k--) rest.push(k - 1);

  test('the index splits "backup" over shards, its head last', () => {
    assert.ok(rest.length >= 2, JSON.stringify(manifest));
    const code = files[`search/t${head}.js`];
    assert.match(code, /"backup":/);
  });

  test('a quick search ranks by the head alone and says so; a full search loads the rest', async () => {
    const s = searchFiles(files);
    const quick = await s.search('backup', { limit: 5, quick: true });
    assert.equal(quick.partial, true);
    for (const k of rest) assert.ok(!s.loaded.includes(`search/t${k}.js`), `t${k} loaded in a quick search`);
    assert.ok(s.loaded.includes(`search/t${head}.js`));
    assert.deepEqual(quick.groups.map((g) => g.url), ['n0.html', 'n8.html', 'n16.html', 'n24.html', 'n32.html']);
    assert.ok(quick.total < 40, String(quick.total));
    const full = await s.search('backup', { limit: 5 });
    assert.equal(full.partial, false);
    assert.equal(full.total, 40);
    for (const k of rest) assert.ok(s.loaded.includes(`search/t${k}.js`), `t${k} not loaded`);
    assert.deepEqual(full.groups.map((g) => g.url), quick.groups.map((g) => g.url));
    // Everything is loaded now: a quick search is complete.
    assert.equal((await s.search('backup', { quick: true })).partial, false);
    assert.equal((await searchFiles(files).search('backup')).total, 40);
  });

  test('a full search keeps the first article of the quick one first while it ranks close to first', async () => {
    const more = makeIndex(restoreNotes(), { shardBytes: 60, per: 8 });
    const urls = (r) => r.groups.map((g) => g.url);
    const q = 'backup restore';
    const quick = await searchFiles(more).search(q, { limit: 5, quick: true });
    assert.equal(quick.partial, true);
    assert.deepEqual(urls(quick), ['drill0.html', 'drill1.html', 'drill2.html', 'restore.html', 'n0.html']);
    // The full ranking alone puts "Restore notes" first: the first result would move.
    const full = await searchFiles(more).search(q, { limit: 5 });
    assert.deepEqual(urls(full), ['restore.html', 'drill0.html', 'drill1.html', 'drill2.html', 'n0.html']);
    const [restore, drill0, drill1, drill2, n0] = full.groups;
    assert.ok(drill0.score >= 0.75 * restore.score, `${drill0.score} ${restore.score}`);
    const kept = async (id) => urls(await searchFiles(more).search(q, { limit: 5, keep: id }));
    assert.deepEqual(await kept(drill0.id), ['drill0.html', 'restore.html', 'drill1.html', 'drill2.html', 'n0.html']);
    assert.deepEqual(await kept(drill1.id), ['drill1.html', 'restore.html', 'drill0.html', 'drill2.html', 'n0.html']);
    // Not among the first three, or far below the first: the full ranking stands.
    assert.deepEqual(await kept(drill2.id), urls(full));
    assert.ok(n0.score < 0.75 * restore.score);
    assert.deepEqual(await kept(n0.id), urls(full));
    assert.deepEqual(await kept(restore.id), urls(full));
    assert.deepEqual(await kept(999), urls(full));
  });
});

// ---------------------------------------------------------------------------
// Indexes written by `stepbook build`
// ---------------------------------------------------------------------------

/** A site folder in a temp dir holding only the reference article. */
async function referenceSite() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-ref-'));
  await fs.mkdir(path.join(dir, 'content', 'guides'), { recursive: true });
  await fs.writeFile(path.join(dir, 'book.toml'), '[book]\ntitle = "Ref"\n');
  await fs.copyFile(
    '/work/shared/seeds/turn-on-mfa-in-tiktok-manually.md',
    path.join(dir, 'content', 'guides', 'turn-on-mfa-in-tiktok-manually.md'),
  );
  return dir;
}

describe('engine over the index of the reference article', () => {
  let siteDir;
  let build;
  before(async () => {
    siteDir = await referenceSite();
    build = await buildSite(siteDir);
    assert.equal(build.code, 0, describeBuild(build));
    assert.ok(hasIndex(build.dir), `the build wrote no search index\n${describeBuild(build)}`);
  }, { timeout: 120_000 });
  after(async () => {
    await build?.cleanup();
    if (siteDir) await fs.rm(siteDir, { recursive: true, force: true });
  });

  const top = async (q, n = 3) => hitsOf(await searchSite(build.dir).search(q)).slice(0, n);

  test('"turn off 2-step" finds the Turn off MFA section in the top 3', async () => {
    const hits = await top('turn off 2-step');
    assert.ok(hits.some((h) => h.id === 'turn-off-mfa'), JSON.stringify(hits.map((h) => h.url)));
    const h = hits.find((x) => x.id === 'turn-off-mfa');
    assert.deepEqual(h.crumbs, ['Guides', 'How to turn on MFA in TikTok manually', 'Turn off MFA']);
  });

  test('"shared inbox" finds step 2 of Retrieve the verification code from Cerby', async () => {
    const hits = await top('shared inbox');
    assert.ok(
      hits.some((h) => h.id === 'retrieve-the-verification-code-from-cerby-step-2'),
      JSON.stringify(hits.map((h) => h.url)),
    );
  });

  test('a typo ("verifcation") and a prefix ("verif") find results', async () => {
    assert.ok((await top('verifcation')).length > 0);
    assert.ok((await top('verif')).length > 0);
    assert.ok((await top('phone numb')).some((h) => /phone-number/.test(h.id ?? '')));
  });

  test('a query with no word of the site gives no results', async () => {
    assert.equal((await top('qwzxv')).length, 0);
    assert.ok((await top('tiktok qwzxvb')).length > 0, 'one word that is nowhere does not empty the list');
  });

  test('every hit links to an anchor of the page', async () => {
    const html = await fs.readFile(path.join(build.dir, 'guides', 'turn-on-mfa-in-tiktok-manually.html'), 'utf8');
    for (const q of ['turn off 2-step', 'shared inbox', 'phone number', 'email', 'cerby workspace']) {
      for (const h of await top(q, 10)) {
        if (h.id) assert.ok(html.includes(`id="${h.id}"`), `${q}: ${h.url} is not an id of the page`);
      }
    }
  });
});

describe('engine over the index of the bundled site', () => {
  let build;
  before(async () => {
    build = await buildSite(repoRoot);
    assert.equal(build.code, 0, describeBuild(build));
    assert.ok(hasIndex(build.dir), `the build wrote no search index\n${describeBuild(build)}`);
  }, { timeout: 120_000 });
  after(async () => {
    await build?.cleanup();
  });

  test('every article can be found by its title', async () => {
    const s = searchSite(build.dir);
    const manifest = await fs.readFile(path.join(build.dir, 'search', 'manifest.js'), 'utf8');
    const { buckets } = JSON.parse(manifest.slice(manifest.indexOf('(') + 1, manifest.lastIndexOf(')')));
    const articles = [];
    const grab = { docs: (b, packed) => articles.push(...JSON.parse(zlib.inflateRawSync(Buffer.from(packed, 'base64')))) };
    for (let b = 0; b < buckets; b++) {
      const code = await fs.readFile(path.join(build.dir, 'search', `d${b}.js`), 'utf8');
      new Function('stepbookSearch', code)(grab);
    }
    assert.ok(articles.length >= 5);
    for (const a of articles) {
      const r = await s.search(a.t);
      const urls = r.groups.slice(0, 3).map((g) => g.url);
      assert.ok(urls.includes(a.u), `"${a.t}" gives ${JSON.stringify(urls)}`);
    }
  });

  test('results are grouped by article, with at most three hits each', async () => {
    const r = await searchSite(build.dir).search('step');
    assert.ok(r.groups.length > 1);
    const urls = r.groups.map((g) => g.url);
    assert.equal(new Set(urls).size, urls.length);
    for (const g of r.groups) {
      assert.ok(g.hits.length >= 1 && g.hits.length <= 3);
      for (const h of g.hits) assert.ok(h.url.startsWith(g.url));
    }
  });
});
