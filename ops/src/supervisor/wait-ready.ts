import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';

const POLL_MS = 250;

export interface WaitReadyOptions {
  readonly timeoutMs: number;
  /** Rejects the wait early (the child gave up) instead of polling until the timeout. */
  readonly failed: () => Error | undefined;
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

/** Polls `url` until it answers 200; the error names the last answer seen. */
export async function waitReady(url: string, options: WaitReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const failure = options.failed();
    if (failure) throw failure;
    const problem = await answers200(url);
    if (problem === undefined) return;
    last = problem;
    if (Date.now() >= deadline) {
      throw new Error(`${url} not ready after ${options.timeoutMs} ms (last answer: ${last})`);
    }
    await delay(POLL_MS);
  }
}
