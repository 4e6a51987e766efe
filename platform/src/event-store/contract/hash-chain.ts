import { verifyChain } from '../hash-chain.js';
import { type ContractOptions, type ContractTest, newEvent, storeFor, unique } from './fixtures.js';

export function hashChainContract(t: ContractTest, options: ContractOptions): void {
  t.test('every stream is hash-chained and verifies', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    await store.appendToStream(
      stream,
      [newEvent('A', { n: 1, nested: { b: [1, 'x'], a: null } })],
      {
        expectedRevision: 'no_stream',
      },
    );
    await store.appendToStream(stream, [newEvent('B', { n: 2 }), newEvent('C', { n: 3 })], {
      expectedRevision: 0n,
    });
    const events = await store.readStream(stream);
    t.equal(events[0]!.metadata.prevHash, null, 'the first link has no predecessor');
    t.equal(events[1]!.metadata.prevHash, events[0]!.metadata.hash, 'each link names the last');
    t.equal(events[2]!.metadata.prevHash, events[1]!.metadata.hash);
    t.same(verifyChain(events), [], 'the chain verifies');
    t.same(verifyChain(events.slice(1)), [], 'a range verifies from its first prevHash');

    const tampered = events.map((e, i) => (i === 1 ? { ...e, data: { n: 20 } } : e));
    t.same(verifyChain(tampered), [{ streamId: stream, revision: 1n, reason: 'hash_mismatch' }]);
    t.same(
      verifyChain([events[0]!, events[2]!]).map((f) => f.reason),
      ['revision_gap', 'prev_hash_mismatch'],
    );

    // What the links alone do not cover, checked against the content and the reader's record.
    const moved = events.map((e, i) => (i === 1 ? { ...e, category: 'other' } : e));
    t.same(verifyChain(moved), [{ streamId: stream, revision: 1n, reason: 'misrouted' }]);
    t.same(verifyChain(events, { tenantId: 'tenant-a' }), [], 'read for its own tenant');
    t.same(
      verifyChain(events, { tenantId: 'tenant-b' }).map((f) => f.reason),
      ['misrouted', 'misrouted', 'misrouted'],
      'events read for another tenant say whose they are',
    );
    const head = { revision: 2n, hash: events[2]!.metadata.hash };
    const heads = new Map([[stream, head]]);
    t.same(verifyChain(events, { heads }), [], 'the stream still reaches its recorded head');
    t.same(verifyChain(events.slice(0, 2), { heads }), [
      { streamId: stream, revision: 2n, reason: 'truncated' },
    ]);
    t.same(verifyChain(events, { heads: new Map([[stream, { ...head, hash: 'f'.repeat(64) }]]) }), [
      { streamId: stream, revision: 2n, reason: 'head_mismatch' },
    ]);
  });
}
