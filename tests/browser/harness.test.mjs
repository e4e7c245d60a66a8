// Tests of the harness itself (no stepbook binary, no browser needed):
// the static server's content types, folders, 404s and path-escape refusal.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { serveStatic } from './harness.mjs';

let tmp;
let root;
let server;

/** GET/HEAD with the raw request target, not normalized by any URL parser. */
function request(target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: target, method, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-harness-'));
  root = path.join(tmp, 'site');
  await fs.mkdir(path.join(root, 'assets'), { recursive: true });
  await fs.mkdir(path.join(root, 'guide'), { recursive: true });
  await fs.mkdir(path.join(root, 'empty'), { recursive: true });
  await fs.writeFile(path.join(root, 'index.html'), '<h1>home</h1>');
  await fs.writeFile(path.join(root, 'guide', 'index.html'), '<h1>guide</h1>');
  await fs.writeFile(path.join(root, 'guide', 'a b.html'), '<h1>spaced</h1>');
  await fs.writeFile(path.join(root, 'assets', 'stepbook.css'), 'body{}');
  await fs.writeFile(path.join(root, 'assets', 'stepbook.js'), '1;');
  await fs.writeFile(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  await fs.writeFile(path.join(root, 'assets', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await fs.writeFile(path.join(root, 'sitemap.xml'), '<urlset/>');
  await fs.writeFile(path.join(root, 'search.json'), '{}');
  await fs.writeFile(path.join(root, 'blob.bin'), 'x');
  await fs.writeFile(path.join(tmp, 'secret.txt'), 'SECRET');
  await fs.symlink(path.join(tmp, 'secret.txt'), path.join(root, 'link-out.txt'));
  await fs.symlink(tmp, path.join(root, 'dir-out'));
  server = await serveStatic(root);
});

after(async () => {
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test('serves on 127.0.0.1 with a trailing-slash base URL', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('content types', async () => {
  const cases = {
    '/index.html': 'text/html; charset=utf-8',
    '/assets/stepbook.css': 'text/css; charset=utf-8',
    '/assets/stepbook.js': 'text/javascript; charset=utf-8',
    '/assets/logo.svg': 'image/svg+xml',
    '/assets/icon.png': 'image/png',
    '/sitemap.xml': 'application/xml; charset=utf-8',
    '/search.json': 'application/json; charset=utf-8',
    '/blob.bin': 'application/octet-stream',
  };
  for (const [target, type] of Object.entries(cases)) {
    const r = await request(target);
    assert.equal(r.status, 200, target);
    assert.equal(r.headers['content-type'], type, target);
  }
});

test('folders serve index.html; a folder without slash redirects', async () => {
  assert.equal((await request('/')).body, '<h1>home</h1>');
  assert.equal((await request('/guide/')).body, '<h1>guide</h1>');
  assert.equal((await request('/guide/?q=1')).body, '<h1>guide</h1>');
  const r = await request('/guide?q=1');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/guide/?q=1');
  assert.equal((await request('/empty/')).status, 404);
});

test('percent-encoded names, query strings and HEAD', async () => {
  assert.equal((await request('/guide/a%20b.html')).body, '<h1>spaced</h1>');
  assert.equal((await request('/index.html?x=1#frag')).status, 200);
  const head = await request('/index.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await request('/index.html', 'POST')).status, 405);
});

test('missing files are 404', async () => {
  for (const t of ['/nope.html', '/assets/nope.css', '/guide/nope/', '/index.html/x']) {
    assert.equal((await request(t)).status, 404, t);
  }
});

test('refuses paths escaping the served folder', async () => {
  const escapes = [
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/guide/../../secret.txt',
    '/guide/%2e%2e/%2e%2e/secret.txt',
    '/link-out.txt',
    '/dir-out/secret.txt',
    '/dir-out/',
  ];
  for (const t of escapes) {
    const r = await request(t);
    assert.equal(r.status, 403, `${t} -> ${r.status}`);
    assert.ok(!r.body.includes('SECRET'), t);
  }
  for (const t of ['/%00', '/..%5csecret.txt', '/%E0%A4%A', 'index.html']) {
    const r = await request(t);
    assert.equal(r.status, 400, `${t} -> ${r.status}`);
  }
  // '..' that stays inside is fine.
  assert.equal((await request('/guide/../index.html')).status, 200);
});
