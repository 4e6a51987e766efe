// What docker-compose runs is each service on its own. A start-up failure must be JSON lines
// (what a log shipper reads) naming what failed, the password of no URL among them, and exit
// status 1; it used to be an uncaught exception's raw stack on stderr, naming nothing.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  createTestDatabase,
  createTestNats,
  deadPort,
  type TestDatabase,
} from '@techflow/platform/testing';
import t from 'tap';
import { GATEWAY, REPO_ROOT, SERVICES } from '../src/services.js';

interface Outcome {
  readonly code: number | null;
  readonly lines: readonly Record<string, unknown>[];
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an entry point from source until it exits (or 60 s pass). */
function run(entry: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} still running after 60 s:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { notJson: l };
          }
        });
      resolve({ code, lines, stdout, stderr });
    });
  });
}

const fatal = (o: Outcome) => o.lines.find((l) => l['level'] === 60);

t.test('Postgres unreachable: waited for, then one fatal line naming DATABASE_URL', async (t) => {
  const port = await deadPort();
  for (const service of SERVICES) {
    const o = await run(service.entry, {
      DATABASE_URL: `postgres://techflow:s3cretpw@127.0.0.1:${port}/techflow`,
      POSTGRES_WAIT_MS: '1000',
      [service.portVariable]: '0',
    });
    t.equal(o.code, 1, `${service.name}: exit status 1`);
    t.equal(o.stderr, '', `${service.name}: nothing on stderr`);
    t.same(
      o.lines.filter((l) => 'notJson' in l),
      [],
      `${service.name}: every line is JSON`,
    );
    t.equal(
      o.lines.filter((l) => l['msg'] === 'waiting for Postgres').length,
      1,
      `${service.name}: the wait is logged once`,
    );
    t.match(
      fatal(o)?.['msg'],
      `cannot reach Postgres at DATABASE_URL postgres://techflow:***@127.0.0.1:${port}/techflow`,
      `${service.name}: the fatal line names what failed`,
    );
    t.notMatch(o.stdout, 's3cretpw', `${service.name}: the password is in no line`);
  }
});

t.test('the port taken: one fatal line naming the port and its variable', async (t) => {
  let database: TestDatabase | undefined;
  const nats = createTestNats();
  const blocker = createServer();
  t.teardown(async () => {
    await new Promise((r) => blocker.close(r));
    await nats.cleanup();
    await database?.drop();
  });
  database = await createTestDatabase('tf_ops_start');
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const address = blocker.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const entries = [
    ...SERVICES.map((s) => ({ name: s.name, entry: s.entry, portVariable: s.portVariable })),
    { name: GATEWAY.name, entry: GATEWAY.entry, portVariable: 'PORT' },
  ];
  for (const { name, entry, portVariable } of entries) {
    const o = await run(entry, {
      DATABASE_URL: database.url,
      NATS_STREAM: nats.stream,
      NATS_SUBJECT_PREFIX: nats.subjectPrefix,
      HOST: '127.0.0.1',
      [portVariable]: String(port),
    });
    t.equal(o.code, 1, `${name}: exit status 1`);
    t.equal(o.stderr, '', `${name}: nothing on stderr`);
    t.match(
      fatal(o)?.['msg'],
      `port ${port} (${portVariable}) on 127.0.0.1 is already in use by another process`,
      `${name}: the fatal line names the port`,
    );
  }
});
