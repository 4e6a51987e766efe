import { DuplicateEventId, ExpectedRevisionConflict } from '../port.js';
import {
  type ContractOptions,
  type ContractTest,
  newEvent,
  rejectionOf,
  storeFor,
  unique,
} from './fixtures.js';

export function appendContract(t: ContractTest, options: ContractOptions): void {
  t.test('expected revisions', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    const first = await store.appendToStream(stream, [newEvent('Opened'), newEvent('Noted')], {
      expectedRevision: 'no_stream',
    });
    t.equal(first.streamId, stream);
    t.equal(first.nextExpectedRevision, 1n, 'two events: last revision 1');
    t.equal(first.position, await store.headPosition(), 'position of the last event');

    const noStream = await rejectionOf(
      store.appendToStream(stream, [newEvent('X')], { expectedRevision: 'no_stream' }),
    );
    t.ok(noStream instanceof ExpectedRevisionConflict, 'no_stream on an existing stream');
    if (noStream instanceof ExpectedRevisionConflict) {
      t.same([noStream.streamId, noStream.expected, noStream.actual], [stream, 'no_stream', 1n]);
    }
    const missing = `${unique('c')}-2`;
    const exists = await rejectionOf(
      store.appendToStream(missing, [newEvent('X')], { expectedRevision: 'stream_exists' }),
    );
    t.ok(exists instanceof ExpectedRevisionConflict, 'stream_exists on a missing stream');
    if (exists instanceof ExpectedRevisionConflict) t.equal(exists.actual, null);

    const stale = await rejectionOf(
      store.appendToStream(stream, [newEvent('X')], { expectedRevision: 0n }),
    );
    t.ok(stale instanceof ExpectedRevisionConflict, 'a stale exact revision');
    if (stale instanceof ExpectedRevisionConflict) t.equal(stale.actual, 1n);

    const exact = await store.appendToStream(stream, [newEvent('Exact')], {
      expectedRevision: 1n,
    });
    t.equal(exact.nextExpectedRevision, 2n);
    const existing = await store.appendToStream(stream, [newEvent('Exists')], {
      expectedRevision: 'stream_exists',
    });
    t.equal(existing.nextExpectedRevision, 3n);
    const any = await store.appendToStream(stream, [newEvent('Any')], { expectedRevision: 'any' });
    t.equal(any.nextExpectedRevision, 4n);
    const anyNew = await store.appendToStream(`${unique('c')}-3`, [newEvent('Any')], {
      expectedRevision: 'any',
    });
    t.equal(anyNew.nextExpectedRevision, 0n, 'any on a new stream starts it');
    const types = (await store.readStream(stream)).map((e) => e.type);
    t.same(types, ['Opened', 'Noted', 'Exact', 'Exists', 'Any'], 'only the accepted appends');
  });

  t.test('concurrent writers expecting the same revision: exactly one wins', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-race`;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.appendToStream(stream, [newEvent(`Try${i}`)], { expectedRevision: 'no_stream' }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof ExpectedRevisionConflict,
    );
    t.equal(won.length, 1, 'one winner');
    t.equal(lost.length, 7, 'every other writer gets ExpectedRevisionConflict');
    t.equal((await store.readStream(stream)).length, 1);
  });

  t.test('re-appending the same event ids is a no-op', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    const events = [newEvent('A'), newEvent('B')];
    const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    // A retry after a lost answer carries the stale expected revision of the first attempt.
    const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    t.same(again, first, 'same revision and position as the first attempt');
    t.equal(await store.headPosition(), head, 'nothing written');
    t.equal((await store.readStream(stream)).length, 2, 'no duplicate');

    if (options.capabilities?.globalEventIds !== false) {
      const elsewhere = await rejectionOf(
        store.appendToStream(`${unique('c')}-2`, [events[0]!], { expectedRevision: 'any' }),
      );
      t.ok(elsewhere instanceof DuplicateEventId, 'the same id in another stream is refused');
    }
    const partly = await rejectionOf(
      store.appendToStream(stream, [events[1]!, newEvent('C')], { expectedRevision: 'any' }),
    );
    t.ok(partly instanceof DuplicateEventId, 'a mix of stored and new ids is refused');
    t.equal(await store.headPosition(), head, 'still nothing written');
  });

  t.test(
    'a stored event id is a retry only with the same content at the same expected revision',
    {
      skip:
        options.capabilities?.checksRetries === false &&
        `${options.name}: a duplicate id is answered by id alone`,
    },
    async (t) => {
      const store = await storeFor(t, options);
      const stream = `${unique('c')}-1`;
      const events = [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })];
      await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      const more = [newEvent('C', { n: 3 })];
      const second = await store.appendToStream(stream, more, { expectedRevision: 1n });
      const head = await store.headPosition();

      const changed = [events[0]!, { ...events[1]!, data: { n: 999 } }];
      const other = await rejectionOf(
        store.appendToStream(stream, changed, { expectedRevision: 'no_stream' }),
      );
      t.ok(other instanceof DuplicateEventId, 'an id stored with other data is refused');
      t.equal(other instanceof DuplicateEventId && other.eventId, events[1]!.eventId);
      const retyped = await rejectionOf(
        store.appendToStream(stream, [{ ...more[0]!, type: 'D' }], { expectedRevision: 1n }),
      );
      t.ok(retyped instanceof DuplicateEventId, 'an id stored with another type is refused');

      const moved = await rejectionOf(
        store.appendToStream(stream, more, { expectedRevision: 42n }),
      );
      t.ok(moved instanceof ExpectedRevisionConflict, 'the same events at another revision');
      t.equal(moved instanceof ExpectedRevisionConflict && moved.actual, 2n);
      const fresh = await rejectionOf(
        store.appendToStream(stream, events, { expectedRevision: 'stream_exists' }),
      );
      t.ok(fresh instanceof ExpectedRevisionConflict, 'the first events, expecting a stream');
      t.same(
        await store.appendToStream(stream, more, { expectedRevision: 1n }),
        second,
        'the same events at the same revision are still a retry',
      );
      t.equal(await store.headPosition(), head, 'nothing written by any of them');
      t.same(
        (await store.readStream(stream)).map((e) => e.data),
        [{ n: 1 }, { n: 2 }, { n: 3 }],
        'the stored events are the first ones',
      );
    },
  );
}
