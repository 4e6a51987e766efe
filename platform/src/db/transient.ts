import { EventStoreUnavailable } from '../event-store/port.js';

/**
 * Whether an error says nothing about the events: the database, the event store or NATS went
 * away for a moment. Those are retried without limit; anything else counts towards a poison
 * verdict.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof EventStoreUnavailable) return true;
  if (typeof e !== 'object' || e === null) return false;
  const code = 'code' in e && typeof e.code === 'string' ? e.code : '';
  // SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator intervention,
  // e.g. admin shutdown), and serialization failures / deadlocks, which succeed on retry.
  if (/^(08|53|57)/.test(code) || code === '40001' || code === '40P01') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)) {
    return true;
  }
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/** Backoff for attempt n (0-based): 100 ms doubling to `capMs`, with ±20% jitter. */
export const backoffMs = (attempt: number, capMs = 5000): number => {
  const base = Math.min(capMs, 100 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
};
