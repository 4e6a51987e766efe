// Ad-hoc probe (not part of npm run bench): what the machine charges for work that runs
// now and then instead of back to back. node --import tsx ops/src/bench/probe-cold.ts
//
// 1. The same JavaScript (JSON and SHA-256, no I/O) timed back to back, then once after
//    each of a series of pauses: slept (a timer) or spun (the thread never leaves the core).
// 2. A bare node:http server's CPU per request, one request at a time (every request wakes
//    it) and with several in flight (it reads many per wake).
// When the paused figures are several times the hot one, per-operation costs fall with load:
// a service doing little is not cheap, and batching saves more than the work it shares.

import './closed-stdout.js';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpuSecondsOf } from './cpu.js';
import { httpPool } from './http-load.js';
import { fmt } from './stats.js';

const sample = { a: 1, b: 'hello world', c: [1, 2, 3, { d: 'x'.repeat(100) }], e: { f: true } };
const work = (): string => {
  let text = '';
  for (let i = 0; i < 20; i++) text += JSON.stringify({ ...sample, i });
  return createHash('sha256').update(text).digest('hex');
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Mean microseconds of one work() call, each preceded by `before()`. */
async function timed(n: number, before: () => Promise<void> | void): Promise<number> {
  let total = 0;
  for (let i = 0; i < n; i++) {
    await before();
    const t0 = performance.now();
    work();
    total += performance.now() - t0;
  }
  return (total / n) * 1000;
}

for (let i = 0; i < 20_000; i++) work();
const rows: Record<string, string>[] = [
  { after: 'nothing (back to back)', us: fmt(await timed(5000, () => undefined)) },
];
for (const ms of [1, 4, 10]) {
  rows.push({ after: `${ms} ms asleep`, us: fmt(await timed(300, () => sleep(ms))) });
}
rows.push({ after: '4 ms spinning', us: fmt(await timed(300, () => spin(4))) });
console.log('one unit of JSON + SHA-256 work, microseconds');
console.table(rows);

const PORT = 18_998;
const server = spawn(
  process.execPath,
  [
    '-e',
    `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{"ok":true}')); }).listen(${PORT}, '127.0.0.1', () => console.log('up'));`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((r) => server.stdout!.once('data', r));
const pool = httpPool(`http://127.0.0.1:${PORT}`, 64);
const request = async () => {
  const res = await pool.request({ path: '/', method: 'GET' });
  await res.body.text();
};
const http: Record<string, string>[] = [];
try {
  for (let i = 0; i < 5000; i++) await request();
  for (const inFlight of [1, 4, 16, 64]) {
    const n = 20_000;
    let next = 0;
    const cpu0 = cpuSecondsOf(server.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < n) await request();
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    http.push({
      inFlight: String(inFlight),
      requestsPerSecond: fmt(n / seconds, 0),
      serverUsPerRequest: fmt(((cpuSecondsOf(server.pid!) - cpu0) * 1e6) / n, 0),
    });
  }
} finally {
  server.kill();
  await pool.close();
}
console.log('a bare node:http server');
console.table(http);
