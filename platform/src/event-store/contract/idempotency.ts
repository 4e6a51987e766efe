import { ExpectedRevisionConflict, type IdempotencyRecord } from '../port.js';
import {
  type ContractOptions,
  type ContractTest,
  newEvent,
  rejectionOf,
  storeFor,
  unique,
} from './fixtures.js';

const recordFor = (key: string, body = { accountId: 'a-1' }): IdempotencyRecord => ({
  scope: 'tenant-a',
  key,
  requestHash: 'sha256:request',
  status: 201,
  body,
});

export function idempotencyContract(t: ContractTest, options: ContractOptions): void {
  t.test('an idempotency key replays its first answer and writes nothing', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    const idempotency = recordFor(unique('key'));
    const first = await store.appendToStreams(
      [{ streamId: stream, events: [newEvent('Opened')], expectedRevision: 'no_stream' }],
      { idempotency },
    );
    if (first.kind !== 'appended') throw new Error('expected appended');
    const head = await store.headPosition();

    const again = await store.appendToStreams(
      [{ streamId: stream, events: [newEvent('Opened')], expectedRevision: 'no_stream' }],
      { idempotency: { ...idempotency, status: 500, body: { other: true } } },
    );
    t.same(again, { kind: 'replayed', record: idempotency, position: first.position });
    t.equal(await store.headPosition(), head, 'nothing written');
    t.equal((await store.readStream(stream)).length, 1);

    const otherScope = await store.appendToStreams(
      [{ streamId: stream, events: [newEvent('Noted')], expectedRevision: 0n }],
      { idempotency: { ...idempotency, scope: 'tenant-b' } },
    );
    t.equal(otherScope.kind, 'appended', 'keys are unique within a scope only');
  });

  t.test('a conflicted command leaves its key unused', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    await store.appendToStream(stream, [newEvent('Opened')], { expectedRevision: 'no_stream' });
    const idempotency = recordFor(unique('key'));
    const conflict = await rejectionOf(
      store.appendToStreams(
        [{ streamId: stream, events: [newEvent('Stale')], expectedRevision: 'no_stream' }],
        { idempotency },
      ),
    );
    t.ok(conflict instanceof ExpectedRevisionConflict);
    const retried = await store.appendToStreams(
      [{ streamId: stream, events: [newEvent('Fresh')], expectedRevision: 0n }],
      { idempotency },
    );
    t.equal(retried.kind, 'appended', 'the retry with a fresh decision is written');
  });

  t.test('a command that appends nothing still remembers its answer', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    await store.appendToStream(stream, [newEvent('Opened')], { expectedRevision: 'no_stream' });
    const idempotency = recordFor(unique('key'));
    const first = await store.appendToStreams(
      [{ streamId: stream, events: [], expectedRevision: 0n }],
      { idempotency },
    );
    t.equal(first.kind, 'appended');
    const again = await store.appendToStreams(
      [{ streamId: stream, events: [], expectedRevision: 0n }],
      { idempotency },
    );
    t.same(again, { kind: 'replayed', record: idempotency, position: null });
  });
}
