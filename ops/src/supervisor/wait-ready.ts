import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';

const POLL_MS = 100;

/** The child being waited for, as SupervisedChild shows it. */
export interface ReadyTarget {
  readonly name: string;
  /** Set once it can no longer become ready (it exited, or was given up on). */
  readonly failure: Error | undefined;
  /** The port its current process says it bound; undefined until it has. */
  readonly listeningOn: number | undefined;
}

export interface WaitReadyOptions {
  readonly timeoutMs: number;
}

async function answers200(url: string): Promise<string | undefined> {
  try {
    const res = await request(url, { signal: AbortSignal.timeout(2000) });
    const body = await res.body.text();
    return res.statusCode === 200 ? undefined : `${res.statusCode} ${body.slice(0, 300)}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Waits until `child` says it listens on `port` (undefined: on any port, as a child told to
 * bind port 0 does), then polls its /ready until it answers 200, and resolves with the port.
 * Nothing is asked of the port before the child claims it: whatever answers there before
 * (another `npm start`'s child) is not this one, and a child that dies instead (the port was
 * taken) fails the wait at once, with its reason. The error names the last answer seen.
 */
export async function waitReady(
  child: ReadyTarget,
  port: number | undefined,
  options: WaitReadyOptions,
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'not listening yet';
  for (;;) {
    const failure = child.failure;
    if (failure) throw failure;
    const bound = child.listeningOn;
    if (bound !== undefined && port !== undefined && bound !== port) {
      throw new Error(`${child.name} listens on port ${bound}, not on ${port} as it was told`);
    }
    if (bound !== undefined) {
      const problem = await answers200(readyUrl(bound));
      if (problem === undefined) return bound;
      last = problem;
    }
    if (Date.now() >= deadline) {
      const where = readyUrl(bound ?? port ?? 0);
      throw new Error(
        `${child.name} not ready on ${where} after ${options.timeoutMs} ms (last answer: ${last})`,
      );
    }
    await delay(POLL_MS);
  }
}

const readyUrl = (port: number) => `http://127.0.0.1:${port}/ready`;
