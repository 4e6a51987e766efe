import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  BUSY_AFTER_READS,
  type CatchUpSource,
  type ScannedPage,
  startCatchUp,
} from '../src/event-store/catch-up-subscription.js';
import type { RecordedEvent } from '../src/event-store/port.js';
import { createAppendListener } from '../src/event-store/postgres/append-listener.js';
import { WakeSignal } from '../src/event-store/wake-signal.js';
import { createPool } from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

const event = (position: bigint): RecordedEvent =>
  ({ position, eventId: randomUUID() }) as unknown as RecordedEvent;

/**
 * A log that grows by one event just before each of the first `growFor` reads (a steady
 * load), and the calls the subscription makes on its WakeDemand, in order with the reads.
 */
function growingLog(growFor: number) {
  let head = 0n;
  let reads = 0;
  const calls: string[] = [];
  const signal = new WakeSignal();
  const source: CatchUpSource = {
    signal,
    pollMs: null,
    async readPage(after): Promise<ScannedPage> {
      reads++;
      if (reads <= growFor) {
        head++;
        signal.notify(); // the commit's wake, as NOTIFY would bring it
      }
      calls.push(`read ${after}`);
      const events: RecordedEvent[] = [];
      for (let p = after + 1n; p <= head; p++) events.push(event(p));
      return { events, lastPosition: head > after ? head : after, reachedHead: true };
    },
    wakes: {
      busy: () => calls.push('busy'),
      idle: async () => {
        calls.push('idle');
      },
    },
  };
  return { source, calls, signal, append: () => head++ };
}

t.test(
  'steady reads stop waiting for wakes; the first empty read asks for them and reads again',
  async (t) => {
    const reads = BUSY_AFTER_READS + 3;
    const log = growingLog(reads);
    const seen: bigint[] = [];
    const sub = startCatchUp(log.source, { from: 0n, coalesceMs: 1 }, async (batch) => {
      for (const e of batch.events) seen.push(e.position);
    });
    // Each read finds one event until `reads`; then one empty read, idle, a read, and a wait.
    while (log.calls.filter((c) => c.startsWith('read')).length < reads + 2) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
    const busyAt = log.calls.indexOf('busy');
    t.equal(
      log.calls.filter((c) => c.startsWith('read')).slice(0, busyAt).length,
      BUSY_AFTER_READS,
    );
    t.same(log.calls.slice(-3), ['read 23', 'idle', 'read 23'], 'idle, then one more read');
    t.equal(log.calls.length, reads + 4, 'then it waits for a wake');
    // An append that lands now is read on its wake, like before.
    log.append();
    log.signal.notify();
    while (seen.length < reads + 1) await new Promise((r) => setTimeout(r, 5));
    await sub.close();
    t.same(
      seen,
      Array.from({ length: reads + 1 }, (_, i) => BigInt(i + 1)),
      'every event once, in order',
    );
  },
);

t.test('a subscription that does not coalesce never goes busy', async (t) => {
  const log = growingLog(BUSY_AFTER_READS * 2);
  const sub = startCatchUp(log.source, { from: 0n }, async () => undefined);
  while (log.calls.length < BUSY_AFTER_READS * 2 + 1) await new Promise((r) => setTimeout(r, 5));
  await sub.close();
  t.notOk(log.calls.includes('busy'));
});

t.test('the listener stops listening only while every demand is busy', async (t) => {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 3, applicationName: 'listener-test' });
  const signal = new WakeSignal();
  const listener = createAppendListener(pool, signal);
  t.teardown(async () => {
    await listener.close();
    await pool.end();
    await database.drop();
  });
  const wokenBy = async (what: string) => {
    // busy() and release() send their LISTEN/UNLISTEN without being awaited: let it land
    // before the NOTIFY, which travels on another connection.
    await new Promise((r) => setTimeout(r, 100));
    const before = signal.version;
    await pool.query(`notify es_appended`);
    // A loaded machine may take a while to deliver; a connection not listening never does.
    const deadline = Date.now() + 1000;
    while (signal.version === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return signal.version > before ? `${what}: woken` : `${what}: not woken`;
  };
  const a = listener.demand();
  const b = listener.demand();
  listener.start();
  while (signal.version === 0) await new Promise((r) => setTimeout(r, 5));
  a.busy();
  t.equal(await wokenBy('one of two busy'), 'one of two busy: woken');
  b.busy();
  t.equal(await wokenBy('both busy'), 'both busy: not woken');
  await a.idle();
  t.equal(await wokenBy('one idle again'), 'one idle again: woken');
  a.busy();
  b.release();
  t.equal(await wokenBy('the other released'), 'the other released: not woken');
  a.release();
  t.equal(await wokenBy('none held'), 'none held: woken');
});
