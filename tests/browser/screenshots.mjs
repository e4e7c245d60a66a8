// Screenshots of every page kind of the user guide, for a person to look at.
//
//   node screenshots.mjs     # writes artifacts/shots/<page>-<width>-<scheme>[-top].png
//
// Builds the repository's own site (content/) with the stepbook binary, serves it on
// 127.0.0.1 and takes full-page shots at 1280 and 375 px wide, light and dark. Not a test:
// it asserts nothing, it only shows.

import fs from 'node:fs/promises';
import path from 'node:path';

import {
  artifactsDir, buildSite, describeBuild, launchBrowser, newPage, repoRoot, serveStatic, settle,
} from './harness.mjs';

const pages = {
  home: 'index.html',
  collection: 'write/index.html',
  article: 'write/write-a-procedure.html',
  tags: 'tags/index.html',
  tag: 'tags/steps.html',
  'not-found': '404.html',
};

const built = await buildSite(repoRoot);
if (built.code !== 0) throw new Error(describeBuild(built));
const server = await serveStatic(built.dir);
const browser = await launchBrowser();
const out = path.join(artifactsDir, 'shots');
await fs.mkdir(out, { recursive: true });
try {
  for (const [name, rel] of Object.entries(pages)) {
    for (const width of [1280, 375]) {
      for (const scheme of ['light', 'dark']) {
        const page = await newPage(browser, {
          viewport: { width, height: 900 },
          colorScheme: scheme,
        });
        await page.goto(new URL(rel, server.url).href);
        await settle(page);
        const file = path.join(out, `${name}-${width}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // The first screen alone, at full size, which is easier to look at.
        await page.screenshot({ path: file.replace(/\.png$/, '-top.png') });
        console.log(file);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  await built.cleanup();
}
