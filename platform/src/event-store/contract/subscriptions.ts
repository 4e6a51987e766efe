import type { ReadAllBatch, RecordedEvent } from '../port.js';
import { type ContractOptions, type ContractTest, newEvent, storeFor, unique } from './fixtures.js';

/** Resolves once `predicate` holds for what a handler has collected; no timers involved. */
function collector() {
  const events: RecordedEvent[] = [];
  const batches: ReadAllBatch[] = [];
  let waiting: { predicate: () => boolean; resolve: () => void } | null = null;
  return {
    events,
    batches,
    handler: async (batch: ReadAllBatch) => {
      batches.push(batch);
      events.push(...batch.events);
      if (waiting?.predicate()) waiting.resolve();
    },
    until(predicate: () => boolean): Promise<void> {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve) => {
        waiting = { predicate, resolve };
      });
    },
  };
}

export function subscriptionContract(t: ContractTest, options: ContractOptions): void {
  t.test('a catch-up subscription sees history, then live events', {}, async (t) => {
    const store = await storeFor(t, options);
    const tenantId = unique('t');
    const start = await store.headPosition();
    const stream = `${unique('c')}-1`;
    await store.appendToStream(
      stream,
      [newEvent('H1', {}, tenantId), newEvent('H2', {}, tenantId)],
      {
        expectedRevision: 'no_stream',
      },
    );
    const seen = collector();
    const sub = store.subscribe({ from: start, filter: { tenantId }, batchSize: 1 }, seen.handler);
    await seen.until(() => seen.events.length === 2);
    await store.appendToStream(stream, [newEvent('L1', {}, tenantId)], { expectedRevision: 1n });
    await store.appendToStream(stream, [newEvent('L2', {}, tenantId)], { expectedRevision: 2n });
    await seen.until(() => seen.events.length === 4);
    await sub.close();
    t.same(
      seen.events.map((e) => e.type),
      ['H1', 'H2', 'L1', 'L2'],
      'history then live, in order, once each',
    );
    t.ok(
      seen.batches.every((b) => b.events.length <= 1),
      'batchSize bounds each batch',
    );
  });

  t.test('a filtered subscription still moves past events it does not want', {}, async (t) => {
    const store = await storeFor(t, options);
    const start = await store.headPosition();
    const seen = collector();
    const sub = store.subscribe(
      { from: start, filter: { types: [unique('Never')] } },
      seen.handler,
    );
    const appended = await store.appendToStream(`${unique('c')}-1`, [newEvent('Other')], {
      expectedRevision: 'no_stream',
    });
    const last = () => seen.batches.at(-1)?.lastPosition ?? start;
    await seen.until(() => last() >= appended.position);
    await sub.close();
    t.same(seen.events, [], 'no event delivered');
    t.ok(last() >= appended.position, 'but the checkpoint reached the append');
  });

  t.test('close lets the running batch finish and starts no other', {}, async (t) => {
    const store = await storeFor(t, options);
    const tenantId = unique('t');
    const start = await store.headPosition();
    const stream = `${unique('c')}-1`;
    await store.appendToStream(stream, [newEvent('A', {}, tenantId)], {
      expectedRevision: 'no_stream',
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entered = collector();
    let finished = 0;
    const sub = store.subscribe({ from: start, filter: { tenantId } }, async (batch) => {
      await entered.handler(batch);
      await gate;
      finished++;
    });
    await entered.until(() => entered.events.length === 1);
    let closed = false;
    const closing = sub.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    t.equal(closed, false, 'close waits for the running batch');
    await store.appendToStream(stream, [newEvent('B', {}, tenantId)], { expectedRevision: 0n });
    release();
    await closing;
    t.equal(finished, 1, 'the running batch finished');
    t.equal(entered.batches.length, 1, 'no batch started after close');
  });

  t.test('coalesceMs gathers commits that follow a read closely into one batch', {}, async (t) => {
    const store = await storeFor(t, options);
    const tenantId = unique('t');
    const start = await store.headPosition();
    const stream = `${unique('c')}-1`;
    await store.appendToStream(stream, [newEvent('A', {}, tenantId)], {
      expectedRevision: 'no_stream',
    });
    // The read that delivers A begins after `subscribed`, and the next read may begin no
    // sooner than coalesceMs after it. A held handler keeps the subscription from reading
    // while B, C and D commit, however slow the appends, so the batches never depend on
    // speed; only the lower bound on when the next read came (which slowness cannot break)
    // tells a coalescing subscription from one that read again at the first wake.
    const coalesceMs = 1000;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen = collector();
    const deliveredAt: number[] = [];
    const subscribed = performance.now();
    const sub = store.subscribe(
      { from: start, filter: { tenantId }, coalesceMs },
      async (batch) => {
        deliveredAt.push(performance.now());
        await seen.handler(batch);
        if (deliveredAt.length === 1) await held;
      },
    );
    await seen.until(() => seen.events.length === 1);
    // Three separate commits right after the read that delivered A, while its handler runs:
    // each wakes the subscription, and the next read waits out the interval.
    for (const [i, type] of ['B', 'C', 'D'].entries()) {
      await store.appendToStream(stream, [newEvent(type, {}, tenantId)], {
        expectedRevision: BigInt(i),
      });
    }
    const releasedAt = performance.now();
    release();
    await seen.until(() => seen.events.length === 4);
    await sub.close();
    t.same(
      seen.batches.filter((b) => b.events.length > 0).map((b) => b.events.map((e) => e.type)),
      [['A'], ['B', 'C', 'D']],
      'one batch for the three commits',
    );
    // Less a quarter: a timer may fire a little early by the event loop's cached clock. Only a
    // run whose commits were done by then can catch a read at the first wake; a slower one
    // passes without telling, it cannot fail.
    const waited = (deliveredAt[1] ?? 0) - subscribed;
    t.ok(
      waited >= coalesceMs * 0.75,
      `the next read waited out the interval: ${Math.round(waited)} ms after subscribing, ` +
        `the commits done at ${Math.round(releasedAt - subscribed)} ms`,
    );
  });

  t.test('a handler that throws ends the subscription through done', {}, async (t) => {
    const store = await storeFor(t, options);
    const start = await store.headPosition();
    await store.appendToStream(`${unique('c')}-1`, [newEvent('A')], {
      expectedRevision: 'no_stream',
    });
    const sub = store.subscribe({ from: start }, async () => {
      throw new Error('projection broke');
    });
    const error = await sub.done.then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(error instanceof Error && error.message === 'projection broke', 'done rejects');
    await sub.close();
  });
}
