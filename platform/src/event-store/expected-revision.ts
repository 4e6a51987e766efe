import type { ExpectedRevision } from './port.js';

/** `actual` is the stream's last revision, null when it has no events. */
export function satisfiesExpected(expected: ExpectedRevision, actual: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'stream_exists') return actual !== null;
  return actual === expected;
}

/** Expected revisions travel to SQL and back as text: bigints do not fit JSON numbers. */
export function expectedToText(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

export function expectedFromText(text: string): ExpectedRevision {
  return text === 'no_stream' || text === 'stream_exists' || text === 'any' ? text : BigInt(text);
}
