import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../error-message.js';
import { redactUrl } from '../redact-url.js';
import { ensureDatabase } from './ensure-database.js';
import { backoffMs, isTransient } from './transient.js';

export interface WaitForPostgresOptions {
  /** How long Postgres may take to answer before start-up fails. */
  readonly timeoutMs: number;
  /** The slice of a logger told, once, that the wait has begun, and when it ends. */
  readonly log?: {
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
  };
}

/** A host that cannot be connected to yet, or that does not answer in time. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Failures waiting can fix: Postgres not up yet (refused, starting up, its name not yet
 * resolvable in a compose network, no answer). A refusal by a running server (a wrong
 * password, no right to create the database) is final.
 */
function waitable(error: unknown): boolean {
  if (isTransient(error)) return true;
  const code = typeof error === 'object' && error && 'code' in error ? error.code : undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return true;
  return error instanceof Error && /timeout/i.test(error.message);
}

/**
 * Connects to the Postgres DATABASE_URL names and creates its database if missing, retrying
 * with backoff while Postgres cannot be reached, for up to `timeoutMs`: in a compose start
 * Postgres may come up seconds after the services. The wait is logged once. The error when
 * it gives up names DATABASE_URL with its password hidden.
 */
export async function waitForPostgres(url: string, options: WaitForPostgresOptions): Promise<void> {
  const shown = redactUrl(url);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureDatabase(url, { connectTimeoutMs: CONNECT_TIMEOUT_MS });
      if (attempt > 0) {
        options.log?.info({ url: shown, waitedMs: Date.now() - started }, 'Postgres reachable');
      }
      return;
    } catch (error) {
      const detail = errorMessage(error);
      if (!waitable(error)) {
        throw new Error(`cannot prepare the database at DATABASE_URL ${shown}: ${detail}`, {
          cause: error,
        });
      }
      const waited = Date.now() - started;
      if (waited >= options.timeoutMs) {
        throw new Error(
          `cannot reach Postgres at DATABASE_URL ${shown} (waited ${waited} ms): ${detail}`,
          { cause: error },
        );
      }
      if (attempt === 0) {
        options.log?.warn(
          { url: shown, err: detail, timeoutMs: options.timeoutMs },
          'waiting for Postgres',
        );
      }
      await sleep(Math.min(backoffMs(attempt, 2000), options.timeoutMs - waited));
    }
  }
}
