import pg from 'pg';
import { redactUrl } from '../redact-url.js';

/**
 * Creates the database named in `url` if it does not exist, connecting to the server's
 * `postgres` database to do so. Lets `npm start` work on a fresh machine.
 * `connectTimeoutMs` bounds the connection attempt (default: the operating system's).
 */
export async function ensureDatabase(
  url: string,
  options: { readonly connectTimeoutMs?: number } = {},
): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redactUrl(url)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: admin.toString(),
    ...(options.connectTimeoutMs === undefined
      ? {}
      : { connectionTimeoutMillis: options.connectTimeoutMs }),
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      // Two processes starting together may race here; the loser's duplicate error is fine.
      await client
        .query(`create database "${name.replace(/"/g, '""')}"`)
        .catch((e: { code?: string }) => {
          if (e.code !== '42P04' && e.code !== '23505') throw e;
        });
    }
  } finally {
    await client.end();
  }
}
