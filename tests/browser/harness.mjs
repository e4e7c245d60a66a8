// Shared helpers for stepbook's browser tests.
//
// Build a site with the real `stepbook` binary, serve it on 127.0.0.1, drive
// Debian's Chromium through playwright-core (no downloaded browser), collect
// every console error / page error / failed request, and take screenshots.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Repository root (the folder holding Cargo.toml, book.toml and content/). */
export const repoRoot = path.resolve(here, '..', '..');

/** Where screenshots go (gitignored: /tests/browser/artifacts/). */
export const artifactsDir = path.join(here, 'artifacts');

/** The Chromium the tests drive: Debian's package, or $CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a headless Chromium on a closed network, as root. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------
// The stepbook binary and site builds
// ---------------------------------------------------------------------------

/**
 * Path to the built stepbook binary: $STEPBOOK_BIN, else
 * <repo>/target/debug/stepbook. Throws with instructions when it is missing.
 */
export function stepbookBin() {
  const fromEnv = process.env.STEPBOOK_BIN;
  const bin = fromEnv
    ? path.resolve(fromEnv)
    : path.join(repoRoot, 'target', 'debug', 'stepbook');
  let st;
  try {
    st = statSync(bin);
  } catch {
    throw new Error(
      `stepbook binary not found at ${bin}` +
        (fromEnv ? ' (from $STEPBOOK_BIN)' : '') +
        `.\nRun \`cargo build\` in ${repoRoot} first, ` +
        'or set STEPBOOK_BIN to the path of a built stepbook binary.',
    );
  }
  if (!st.isFile()) {
    throw new Error(`stepbook binary path ${bin} is not a file`);
  }
  return bin;
}

/**
 * Run `<bin> build --dest <tmp> ...args` in a copy of siteDir, so that what a build
 * leaves in its site folder (the anchor record, the build cache) never lands in the
 * fixture and no run depends on an earlier one; with `inPlace`, in siteDir itself (a
 * test's own temporary site that builds twice).
 *
 * `dir` is a fresh path that does not exist before the build (stepbook
 * creates it), inside a private temp folder that `cleanup()` removes.
 * Set STEPBOOK_KEEP_OUTPUT=1 to keep the output for inspection.
 *
 * Never throws because of the exit code: check `code` (and show `stderr`).
 *
 * @param {string} siteDir folder with book.toml and content/
 * @param {{args?: string[], env?: Record<string,string>, timeoutMs?: number, inPlace?: boolean}} [opts]
 * @returns {Promise<{dir: string, code: number|null, signal: string|null,
 *   stdout: string, stderr: string, cwd: string, command: string[],
 *   cleanup: () => Promise<void>}>}
 */
export async function buildSite(siteDir, { args = [], env = {}, timeoutMs = 120_000, inPlace = false } = {}) {
  const bin = stepbookBin();
  const tmpRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-build-'));
  const cwd = inPlace ? path.resolve(siteDir) : path.join(tmpRoot, 'src');
  if (!inPlace) await copySite(path.resolve(siteDir), cwd);
  const dir = path.join(tmpRoot, 'site');
  const argv = ['build', '--dest', dir, ...args];

  const result = await new Promise((resolve, reject) => {
    const child = spawn(bin, argv, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[harness] stepbook build killed after ${timeoutMs} ms\n`;
      resolve({ code, signal, stdout, stderr });
    });
  });

  const keep = !!process.env.STEPBOOK_KEEP_OUTPUT;
  if (keep) process.stderr.write(`[harness] keeping build output in ${dir}\n`);
  return {
    dir,
    ...result,
    cwd,
    command: [bin, ...argv],
    cleanup: async () => {
      if (!keep) await fs.rm(tmpRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Copies what a build reads of the site in `from` (its config, content folder, themes and
 * anchor record) to `to`: never the rest of a folder such as the repository's own root.
 */
async function copySite(from, to) {
  await fs.mkdir(to, { recursive: true });
  let content = 'content';
  try {
    const toml = await fs.readFile(path.join(from, 'book.toml'), 'utf8');
    content = /^\s*content-dir\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? content;
  } catch {
    // No book.toml: the build will say so.
  }
  for (const name of ['book.toml', 'anchors.lock', 'themes', content]) {
    if (!existsSync(path.join(from, name))) continue;
    await fs.cp(path.join(from, name), path.join(to, name), {
      recursive: true,
      filter: (f) => path.basename(f) !== '.stepbook-cache',
    });
  }
}

/** Human-readable summary of a buildSite() result, for assertion messages. */
export function describeBuild(r) {
  return (
    `$ (cd ${r.cwd} && ${r.command.join(' ')})\n` +
    `exit code: ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n` +
    `--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
  );
}

// ---------------------------------------------------------------------------
// Static file server
// ---------------------------------------------------------------------------

export const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

function isInside(root, p) {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Serve the files under `dir` on 127.0.0.1 (random free port).
 *
 * GET/HEAD only; `index.html` for folders (a folder URL without a trailing
 * slash is redirected to one, so relative links resolve as on a real host);
 * 404 for anything missing; 403 for any path that escapes `dir` (`..`,
 * encoded `..`, symlinks pointing outside).
 *
 * @returns {Promise<{url: string, port: number, requests: Array<{method: string,
 *   url: string, status: number}>, close: () => Promise<void>}>}
 *   `url` ends with '/' (the prefix), so `new URL('a/b.html', url)` works.
 *
 * Options, as a static host may be set up: `prefix` serves the site under a
 * sub-path (`/docs/`; anything outside it is missing), and `notFound` names a
 * file of the site (`404.html`) sent, with status 404, for anything missing.
 */
export async function serveStatic(dir, { prefix = '/', notFound = null } = {}) {
  const root = await fs.realpath(path.resolve(dir));
  const requests = [];

  const server = http.createServer(async (req, res) => {
    const plainSend = (status, body = '', headers = {}) => {
      requests.push({ method: req.method, url: req.url, status });
      res.writeHead(status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const send = async (status, body = '', headers = {}) => {
      if (status !== 404 || !notFound) return plainSend(status, body, headers);
      const page = await fs.readFile(path.join(root, notFound));
      return plainSend(404, page, { 'Content-Type': 'text/html; charset=utf-8' });
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      }
      const fullPath = (req.url || '/').split(/[?#]/, 1)[0];
      if (!fullPath.startsWith('/')) return send(400, 'bad request\n');
      if (!fullPath.startsWith(prefix)) return send(404, 'not found\n');
      const rawPath = '/' + fullPath.slice(prefix.length);
      let decoded;
      try {
        decoded = decodeURIComponent(rawPath);
      } catch {
        return send(400, 'bad request\n');
      }
      if (decoded.includes('\0') || decoded.includes('\\')) return send(400, 'bad request\n');

      // path.join normalizes '..' segments; anything that ends up outside
      // root is refused.
      let file = path.join(root, decoded);
      if (!isInside(root, file)) return send(403, 'forbidden\n');

      let st;
      try {
        // Resolve symlinks and check again.
        file = await fs.realpath(file);
        if (!isInside(root, file)) return send(403, 'forbidden\n');
        st = await fs.stat(file);
      } catch {
        return send(404, 'not found\n');
      }
      if (st.isDirectory()) {
        if (!rawPath.endsWith('/')) {
          const query = (req.url || '').slice(fullPath.length);
          return send(301, 'moved\n', { Location: fullPath + '/' + query });
        }
        file = path.join(file, 'index.html');
        try {
          file = await fs.realpath(file);
          if (!isInside(root, file)) return send(403, 'forbidden\n');
          st = await fs.stat(file);
        } catch {
          return send(404, 'not found\n');
        }
      }
      if (!st.isFile()) return send(404, 'not found\n');

      const body = await fs.readFile(file);
      const type =
        contentTypes[path.extname(file).toLowerCase()] || 'application/octet-stream';
      requests.push({ method: req.method, url: req.url, status: 200 });
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      if (!res.headersSent) send(500, `internal error: ${err}\n`);
      else res.destroy();
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------
// Browser
// ---------------------------------------------------------------------------

/**
 * Launch Debian's Chromium headless. Playwright gives it a fresh temporary
 * --user-data-dir and removes it on `browser.close()`.
 */
export async function launchBrowser({ args = [], ...opts } = {}) {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it with ` +
        '`apt-get install chromium` (Debian), or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...args],
    timeout: 60_000,
    ...opts,
  });
}

/**
 * Open a page in its own browser context and record problems on it:
 *   page.consoleErrors  [{text, url}]          console.error and browser-logged errors
 *   page.pageErrors     [{message, stack}]     uncaught exceptions
 *   page.failedRequests [{url, method, resourceType, failure|status}]
 *                        network failures (incl. missing file://) and HTTP >= 400
 * `page.problems()` returns all three; `page.resetProblems()` empties them;
 * `page.dispose()` closes the page's context.
 */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...contextOptions,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();

  page.consoleErrors = [];
  page.pageErrors = [];
  page.failedRequests = [];

  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      page.consoleErrors.push({
        text: msg.text(),
        url: loc?.url ? `${loc.url}:${loc.lineNumber}:${loc.columnNumber}` : '',
      });
    }
  });
  page.on('pageerror', (err) => {
    page.pageErrors.push({ message: err.message, stack: err.stack });
  });
  page.on('requestfailed', (req) => {
    page.failedRequests.push({
      url: req.url(),
      method: req.method(),
      resourceType: req.resourceType(),
      failure: req.failure()?.errorText ?? 'unknown',
    });
  });
  page.on('response', (resp) => {
    if (resp.status() >= 400) {
      const req = resp.request();
      page.failedRequests.push({
        url: resp.url(),
        method: req.method(),
        resourceType: req.resourceType(),
        status: resp.status(),
      });
    }
  });

  page.problems = () => ({
    consoleErrors: page.consoleErrors,
    pageErrors: page.pageErrors,
    failedRequests: page.failedRequests,
  });
  page.resetProblems = () => {
    page.consoleErrors.length = 0;
    page.pageErrors.length = 0;
    page.failedRequests.length = 0;
  };
  page.dispose = () => context.close();
  return page;
}

/**
 * Give late requests (scripts fetching data, lazy images) time to finish or
 * fail: wait for 'networkidle', but at most `timeout` ms. Never throws on the
 * time-out, since a fetch whose body a script never reads keeps the network
 * "busy" forever; the recorded problems tell what went wrong.
 */
export async function settle(page, { timeout = 5_000 } = {}) {
  try {
    await page.waitForLoadState('networkidle', { timeout });
  } catch (err) {
    if (err?.name !== 'TimeoutError') throw err;
  }
}

/** file:// URL of `rel` (a '/'-separated relative path) inside `dir`. */
export function fileUrl(dir, rel = '') {
  return pathToFileURL(path.join(dir, ...rel.split('/'))).href;
}

// ---------------------------------------------------------------------------
// Screenshots
// ---------------------------------------------------------------------------

/**
 * Save a full-page PNG to tests/browser/artifacts/<name>.png and return its
 * path. `name` is sanitized to [A-Za-z0-9._-].
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await fs.mkdir(artifactsDir, { recursive: true });
  const safe = String(name).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'page';
  const file = path.join(artifactsDir, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Fails with every console error, page error and failed request `page` collected. */
export function assertNoProblems(page, where) {
  const found = Object.fromEntries(
    Object.entries(page.problems()).filter(([, list]) => list.length),
  );
  assert.deepEqual(found, {}, `problems on ${where}:\n${JSON.stringify(found, null, 2)}`);
}

/**
 * Opens a page, runs `fn(page)`, checks it logged no problems, and on failure saves the
 * screenshot `<prefix>-<name>-FAILED`.
 */
export async function withPage(browser, prefix, name, fn, contextOptions = {}) {
  const page = await newPage(browser, contextOptions);
  try {
    await fn(page);
    assertNoProblems(page, name);
  } catch (err) {
    await screenshot(page, `${prefix}-${name}-FAILED`).catch(() => {});
    throw err;
  } finally {
    await page.dispose();
  }
}
