import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import t from 'tap';
import { TEST_NATS_URL, TEST_PG_SERVER } from '../src/testing/index.js';

const fixture = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures/creates-and-waits.ts',
);

t.test(
  'a test process killed by SIGTERM drops its database and stream, and kills its child',
  async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { database, stream, pid } = JSON.parse(line.toString()) as {
      database: string;
      stream: string;
      pid: number;
    };
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    t.teardown(() => {
      if (alive()) process.kill(pid, 'SIGKILL');
    });

    const admin = new pg.Client({ connectionString: TEST_PG_SERVER });
    await admin.connect();
    t.teardown(() => admin.end());
    const exists = async () =>
      (await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount ===
      1;
    const nc = await connect({ servers: TEST_NATS_URL });
    t.teardown(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const streamExists = () =>
      jsm.streams.info(stream).then(
        () => true,
        () => false,
      );
    t.ok(await exists(), 'the database is there while it runs');
    t.ok(await streamExists(), 'and the stream');
    t.ok(alive(), 'and its child process');

    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    t.same({ code, signal }, { code: 143, signal: null }, 'it exits as SIGTERM would have');
    t.notOk(await exists(), 'the database is dropped');
    t.notOk(await streamExists(), 'the stream is deleted');
    // SIGKILLed; gone once the kernel has reaped it (it is reparented, so that is not at once).
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    t.notOk(alive(), 'the child process is killed');
  },
);
