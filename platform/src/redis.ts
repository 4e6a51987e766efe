import { Redis } from 'ioredis';

/**
 * The Redis client services share rate-limit counters through. Auto-pipelining sends every
 * command issued in the same tick in one socket write: with two counters per request, one
 * write syscall per command cost the command service about a tenth of its CPU.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  });
}
