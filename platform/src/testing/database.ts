import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { cleanupOnKill } from './cleanup-on-kill.js';

/** The server tests create their databases on; override with TEST_PG_URL. */
export const TEST_PG_SERVER =
  process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  /** Connection string of the new database. */
  readonly url: string;
  /** Terminates its connections and drops it. */
  drop(): Promise<void>;
}

const withUrlDatabase = (server: string, database: string) => {
  const u = new URL(server);
  u.pathname = `/${database}`;
  return u.toString();
};

/** Creates a uniquely named, empty database; the caller drops it in teardown. */
export async function createTestDatabase(prefix = 'tf_test'): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_SERVER });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const drop = async () => {
    const c = new pg.Client({ connectionString: TEST_PG_SERVER });
    await c.connect();
    try {
      await c.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await c.end();
    }
  };
  const onKill = cleanupOnKill(drop);
  return {
    name,
    url: withUrlDatabase(TEST_PG_SERVER, name),
    async drop() {
      await drop();
      onKill.forget();
    },
  };
}
