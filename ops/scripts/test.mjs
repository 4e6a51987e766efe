#!/usr/bin/env node
// Runs every check `npm test` promises, in order, and ends with the one line CI reads:
// `N passed, N failed`. The type check and lint count as one test each; every workspace's
// tap assertions count one each. A step that crashes without a tap summary counts as a failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0;
let failed = 0;
const failures = [];

async function step(name, cmd, args, cwd = root) {
  console.log(`\n### ${name}`);
  const { code } = await run(cmd, args, cwd);
  if (code === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

if (only.length === 0) {
  await step('typecheck (tsc -b)', 'npx', ['tsc', '-b']);
  await step('lint (biome check)', 'npx', ['biome', 'check', '.']);
}

for (const ws of workspaces) {
  if (only.length > 0 && !only.includes(ws)) continue;
  console.log(`\n### ${ws}: tap`);
  const { code, out } = await run('npx', ['tap'], path.join(root, ws));
  const summary = [
    ...out.matchAll(/^# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?.*\}$/gm),
  ].at(-1);
  if (!summary) {
    if (/No test files found/.test(out) && code === 0) continue;
    failed++;
    failures.push(`${ws} (no tap summary, exit ${code})`);
    continue;
  }
  const pass = Number(summary[2] ?? 0);
  const fail = Number(summary[3] ?? 0);
  passed += pass;
  failed += fail;
  if (fail > 0 || code !== 0) failures.push(`${ws} (exit ${code}, ${fail} failed)`);
  if (code !== 0 && fail === 0) failed++;
}

if (failures.length > 0) console.log(`\nfailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
