#!/usr/bin/env node
// Bounded loopback load test of `stepbook serve`: requests per second, errors, timeouts and
// p99 latency while 100 live-reload streams stay open, one slow client trickles its request,
// `concurrency` keep-alive clients ask for pages back to back, and bursts of 6 new
// connections at once (what a browser opens for a page) arrive every 100 ms.
//
//   cargo build --release && node scripts/load-serve.mjs [seconds=10] [concurrency=32]
//
// Only 127.0.0.1 is ever contacted; every loop stops by itself. Exits 1 on any failed
// request (an error, a timeout after 10 s or an unexpected status), a closed live-reload
// stream, or a server that does not start within a minute. Latency is reported, never
// judged. STEPBOOK_BIN picks the binary (default: target/release/stepbook). CI runs it
// against the debug binary.

import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.STEPBOOK_BIN || path.join(repo, 'target/release/stepbook');
const seconds = Number(process.argv[2] || 10);
const concurrency = Number(process.argv[3] || 32);
const STREAMS = 100;
const BURST = 6;
const BURST_EVERY_MS = 100;
const PAGES = ['', 'get-started/index.html', 'write/write-a-procedure.html', 'write/branches.html', 'assets/stepbook.css', 'assets/stepbook.js', 'search/manifest.js', 'nope.html'];

const server = spawn(bin, ['serve', '--port', '0'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
process.on('exit', () => server.kill());
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));
let log = '';
let exited = null;
server.on('exit', (code, signal) => { exited = signal || code; });
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`serve did not get ready within 60 s:\n${log}`)), 60_000);
  server.stderr.on('data', (c) => {
    log += c;
    const m = log.match(/at http:\/\/(127\.0\.0\.1):(\d+)\//);
    if (m && log.includes('search index ready')) {
      clearTimeout(timer);
      resolve({ host: m[1], port: Number(m[2]) });
    }
  });
  server.on('exit', (code) => reject(new Error(`serve exited ${code}\n${log}`)));
}).catch((e) => {
  console.error(e.message);
  process.exit(1);
});

// 100 open event streams; each must be greeted and stay open.
const streams = [];
let streamsEnded = 0;
for (let i = 0; i < STREAMS; i++) {
  streams.push(await new Promise((resolve, reject) => {
    const req = http.get({ ...base, path: '/__stepbook/events', agent: false }, (res) => {
      let greeted = false;
      res.on('data', (c) => {
        if (!greeted && String(c).includes('event: hello')) {
          greeted = true;
          req.setTimeout(0);
          resolve(req);
        }
      });
      res.on('close', () => streamsEnded++);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout opening a live-reload stream')));
    req.on('error', reject);
  }));
}

// A slow client: one byte of its request every 100 ms. The server closes it once its head has
// taken 10 s, as it does against slowloris.
const slow = net.connect(base.port, base.host);
const slowOpened = Date.now();
let slowClosedAfter = null;
slow.on('close', () => { slowClosedAfter = (Date.now() - slowOpened) / 1000; });
const slowRequest = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${'x'.repeat(200)}\r\n\r\n`;
let slowAt = 0;
const slowTimer = setInterval(() => {
  if (slowAt < slowRequest.length) slow.write(slowRequest[slowAt++]);
}, 100);
slow.on('error', () => {});

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
let errors = 0;
let timeouts = 0;
let statusErrors = 0;
let lastError = '';
const end = Date.now() + seconds * 1000;

// One GET of `p`; `agent: false` opens a new connection for it.
function get(p, via) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.get({ ...base, path: '/' + p, agent: via }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const expected = p === 'nope.html' ? 404 : 200;
        if (res.statusCode !== expected) statusErrors++;
        resolve();
      });
    });
    req.setTimeout(10_000, () => {
      timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', (e) => {
      if (e.message !== 'timeout') errors++;
      lastError = `${e.code || e.message} on /${p}`;
      resolve();
    });
  });
}

async function keepAliveClient(w) {
  let i = w;
  while (Date.now() < end) await get(PAGES[i++ % PAGES.length], agent);
}

let bursts = 0;
async function bursty() {
  let i = 0;
  while (Date.now() < end) {
    const next = Date.now() + BURST_EVERY_MS;
    await Promise.all(Array.from({ length: BURST }, () => get(PAGES[i++ % PAGES.length], false)));
    bursts++;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
}

const started = Date.now();
await Promise.all([bursty(), ...Array.from({ length: concurrency }, (_, w) => keepAliveClient(w))]);
const took = (Date.now() - started) / 1000;

// The streams are still open.
const alive = STREAMS - streamsEnded;
const exitedDuringRun = exited;
const slowClosed = slowClosedAfter;
clearInterval(slowTimer);
slow.destroy();
streams.forEach((r) => r.destroy());
agent.destroy();
server.kill();

latencies.sort((a, b) => a - b);
const pct = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
console.log(`${latencies.length} requests in ${took.toFixed(1)} s from ${concurrency} keep-alive clients and ${bursts} bursts of ${BURST} new connections: ${(latencies.length / took).toFixed(0)} req/s`);
console.log(`errors: ${errors} connection, ${timeouts} timeouts, ${statusErrors} wrong status${lastError ? ' (last: ' + lastError + ')' : ''}; latency p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms, max ${pct(1).toFixed(2)} ms`);
console.log(`live-reload streams still open: ${alive}/${STREAMS}; slow client sent ${slowAt} bytes${slowClosed === null ? ' and is still open' : `, closed by the server after ${slowClosed.toFixed(1)} s`}`);
const ok = errors + timeouts + statusErrors === 0 && alive === STREAMS && latencies.length > 0 && exitedDuringRun === null;
if (!ok) {
  if (exitedDuringRun !== null) console.error(`serve exited (${exitedDuringRun}) during the run`);
  console.error(`load test failed; the end of serve's log:\n${log.slice(-4000)}`);
}
process.exit(ok ? 0 : 1);
