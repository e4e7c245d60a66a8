// Old links after edits (content/write/anchor-history.md): the fixture site is built once,
// which writes its anchors.lock, then edited (a step inserted at the top of a procedure, a
// heading renamed, a step inserted inside a branch option, an article moved to another
// collection under a new name) and built again. Old links, opened over HTTP and from disk,
// must land on the step or heading they meant.
//
// Builds tests/browser/fixtures/anchors (a copy, so its record stays out of the repository)
// with the real stepbook binary; run `cargo build` first (or set STEPBOOK_BIN).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  withPage as sharedWithPage,
  buildSite,
  describeBuild,
  fileUrl,
  launchBrowser,
  serveStatic,
} from './harness.mjs';

const withPage = (name, fn) => sharedWithPage(browser, 'anchors', name, fn);

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'anchors');
const T = { timeout: 120_000 };

let site;
let first;
let build;
let server;
let browser;

/** Replaces `from` with `to` in the site's file `rel`, failing when `from` is not there. */
async function edit(rel, from, to) {
  const file = path.join(site, rel);
  const text = await fs.readFile(file, 'utf8');
  assert.ok(text.includes(from), `${rel} holds ${JSON.stringify(from)}`);
  await fs.writeFile(file, text.replace(from, to));
}

before(async () => {
  site = await fs.mkdtemp(path.join(os.tmpdir(), 'stepbook-anchors-'));
  await fs.cp(fixture, site, { recursive: true });
  first = await buildSite(site, { inPlace: true });
  assert.equal(first.code, 0, `first build failed\n${describeBuild(first)}`);
  const record = await fs.readFile(path.join(site, 'anchors.lock'), 'utf8');
  assert.match(record, /^stepbook-anchors 2$/m);
  assert.match(record, /^guide\/mfa\.html page [^\n]*\n  questions section [^\n]*\n  set-up section /m);
  assert.match(record, /^  set-up-step-3 step /m);

  await edit('content/guide/mfa.md', '1. Open the app.\n', '1. Unlock your phone.\n1. Open the app.\n');
  await edit('content/guide/mfa.md', '## Turn it off', '## Switch it off');
  await edit('content/guide/recover.md', '1. Open the email from us.', '1. Look in your spam folder too.\n1. Open the email from us.');
  await fs.rename(path.join(site, 'content/guide/refunds.md'), path.join(site, 'content/billing/refund-policy.md'));
  await edit('content/billing/refund-policy.md', '1. Open Billing.\n', '1. Sign in.\n1. Open Billing.\n');

  build = await buildSite(site, { inPlace: true });
  assert.equal(build.code, 0, `second build failed\n${describeBuild(build)}`);
  server = await serveStatic(build.dir);
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await build?.cleanup();
  await first?.cleanup();
  if (site) await fs.rm(site, { recursive: true, force: true });
});

/** Where the reader is: the page's path from the site root and its fragment. */
const landing = (page) =>
  page.evaluate(() => ({
    path: location.pathname.replace(/^.*\/(guide|billing)\//, '$1/'),
    hash: location.hash,
  }));

/**
 * Forgets the redirect stub's own document request when it was cut short: the stub's
 * script leaves the page at once, and on a busy machine that can be before Chromium has
 * read the end of the stub's response. Any other failed request stays a problem.
 */
const forgetStub = (page, stub) => {
  page.failedRequests = page.failedRequests.filter(
    (r) => !(r.resourceType === 'document' && r.failure === 'net::ERR_ABORTED' && r.url.endsWith(stub)),
  );
};

/** The text of the step with id `id`, without its number, buttons or inner steps. */
const stepText = (page, id) =>
  page.evaluate((id) => {
    const body = document.getElementById(id).querySelector(':scope > .step__body').cloneNode(true);
    body.querySelectorAll('ol, button').forEach((n) => n.remove());
    return body.textContent.replace(/\s+/g, ' ').trim();
  }, id);

test('a step inserted at the top: an old link to step 3 lands on the same step, now step 4', T, async () => {
  await withPage('inserted-step', async (page) => {
    await page.goto(new URL('guide/mfa.html#set-up-step-3', server.url).href);
    await page.waitForSelector('[id="set-up-step-4"].step--highlight');
    assert.equal(await stepText(page, 'set-up-step-4'), 'Tap Security and privacy.');
    const at = await landing(page);
    assert.equal(at.hash, '#set-up-step-4', 'the address bar names the step as it is now');
    // A fragment that still means what it meant is left alone: the new step 5.
    await page.evaluate(() => { location.hash = '#set-up-step-5'; });
    await page.waitForSelector('[id="set-up-step-5"].step--highlight');
    assert.equal(await stepText(page, 'set-up-step-5'), 'Turn on two-step login.');
    // And an old one followed in the page (hashchange) is mapped too.
    await page.evaluate(() => { location.hash = '#set-up-step-1'; });
    await page.waitForSelector('[id="set-up-step-2"].step--highlight');
    assert.equal(await stepText(page, 'set-up-step-2'), 'Open the app.');
  });
});

test('a renamed heading: its old fragment lands on it', T, async () => {
  await withPage('renamed-heading', async (page) => {
    await page.goto(new URL('guide/mfa.html#turn-it-off', server.url).href);
    await page.waitForFunction(() => location.hash === '#switch-it-off');
    const top = await page.evaluate(() => document.getElementById('switch-it-off').getBoundingClientRect().top);
    assert.ok(top >= 0 && top < 200, `the heading is scrolled into view (top ${top})`);
    const words = await page.evaluate(() =>
      [...document.getElementById('switch-it-off').childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join('')
        .trim(),
    );
    assert.equal(words, 'Switch it off');
    // Its steps' old links follow it.
    await page.goto(new URL('guide/mfa.html#turn-it-off-step-2', server.url).href);
    await page.waitForSelector('[id="switch-it-off-step-2"].step--highlight');
  });
});

test('an old fragment inside a closed branch option opens that option', T, async () => {
  await withPage('closed-option', async (page) => {
    await page.goto(new URL('guide/recover.html', server.url).href);
    const visible = (id) => page.evaluate((id) => document.getElementById(id).getClientRects().length > 0, id);
    assert.equal(await visible('email'), false, 'the email option starts closed');
    await page.goto(new URL('guide/recover.html#email-step-2', server.url).href);
    await page.waitForSelector('[id="email-step-3"].step--highlight');
    assert.equal(await visible('email-step-3'), true);
    assert.equal(await stepText(page, 'email-step-3'), 'Click the link in it.');
    assert.equal(await page.isChecked('input[type="radio"][value="email"]'), true);
  });
});

test('an article moved to another collection: its old address redirects, fragment kept', T, async () => {
  await withPage('moved-article', async (page) => {
    // Step 2 of the old page is step 3 of the new one (a step was inserted too).
    await page.goto(new URL('guide/refunds.html#ask-step-2', server.url).href);
    await page.waitForSelector('[id="ask-step-3"].step--highlight');
    const at = await landing(page);
    assert.equal(at.path, 'billing/refund-policy.html');
    assert.equal(at.hash, '#ask-step-3');
    assert.equal(await stepText(page, 'ask-step-3'), 'Pick the payment to refund.');
    forgetStub(page, '/guide/refunds.html');
  });
});

test('from disk too: the redirect and the map work over file://', T, async () => {
  await withPage('file-url', async (page) => {
    await page.goto(fileUrl(build.dir, 'guide/refunds.html') + '#ask-step-3');
    await page.waitForSelector('[id="ask-step-4"].step--highlight');
    assert.equal(await stepText(page, 'ask-step-4'), 'Tell us why, and send the request.');
    forgetStub(page, '/guide/refunds.html');
  });
});
