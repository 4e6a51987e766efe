import { type ContractOptions, type ContractTest, newEvent, storeFor, unique } from './fixtures.js';

export function readContract(t: ContractTest, options: ContractOptions): void {
  t.test('readStream ranges', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    const events = ['A', 'B', 'C', 'D', 'E'].map((type) => newEvent(type, { type }));
    await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    const all = await store.readStream(stream);
    t.same(
      all.map((e) => [e.revision, e.type, e.eventId]),
      events.map((e, i) => [BigInt(i), e.type, e.eventId]),
      'every event in revision order',
    );
    const first = all[0]!;
    t.equal(first.streamId, stream);
    t.equal(first.category, stream.split('-')[0], 'category is the part before the first -');
    t.same(first.data, { type: 'A' });
    t.same(first.metadata.tenantId, events[0]!.metadata.tenantId);
    t.equal(first.metadata.causationId, null);
    t.equal(
      new Date(first.recordedAt).toISOString(),
      first.recordedAt,
      'recordedAt is an ISO instant in UTC with milliseconds, as Date#toISOString prints it',
    );
    t.ok(Math.abs(Date.parse(first.recordedAt) - Date.now()) < 60_000, 'and it is now');
    const types = async (o: Parameters<typeof store.readStream>[1]) =>
      (await store.readStream(stream, o)).map((e) => e.type);
    t.same(await types({ fromRevision: 2n }), ['C', 'D', 'E']);
    t.same(await types({ toRevision: 1n }), ['A', 'B']);
    t.same(await types({ fromRevision: 1n, toRevision: 3n }), ['B', 'C', 'D']);
    t.same(await types({ fromRevision: 1n, maxCount: 2 }), ['B', 'C']);
    t.same(await store.readStream(`${unique('c')}-missing`), [], 'a missing stream is empty');
  });

  t.test('aggregateStream folds the stream', {}, async (t) => {
    const store = await storeFor(t, options);
    const stream = `${unique('c')}-1`;
    const evolve = (sum: number, e: { type: string; data: { [k: string]: unknown } }) =>
      sum + (typeof e.data['n'] === 'number' ? e.data['n'] : 0);
    const empty = await store.aggregateStream(stream, { initialState: () => 0, evolve });
    t.same(empty, { state: 0, revision: null, lastPosition: null }, 'a missing stream');
    const appended = await store.appendToStream(
      stream,
      [newEvent('Added', { n: 2 }), newEvent('Added', { n: 5 })],
      { expectedRevision: 'no_stream' },
    );
    const folded = await store.aggregateStream(stream, { initialState: () => 0, evolve });
    t.same(folded, { state: 7, revision: 1n, lastPosition: appended.position });
    const mapped = await store.aggregateStream(stream, {
      initialState: (): string[] => [],
      evolve: (s, e: string) => [...s, e],
      map: (e) => `${e.revision}:${e.type}`,
    });
    t.same(mapped.state, ['0:Added', '1:Added'], 'map turns recorded events into domain events');
  });

  t.test('readAll in position order with filters', {}, async (t) => {
    const store = await storeFor(t, options);
    const gapFree = options.capabilities?.gapFreePositions !== false;
    const start = await store.headPosition();
    const [acct, xfer] = [unique('acct'), unique('xfer')];
    const [t1, t2] = [unique('t'), unique('t')];
    await store.appendToStream(`${acct}-1`, [newEvent('Opened', {}, t1)], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(`${xfer}-1`, [newEvent('Requested', {}, t2)], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(`${acct}-2`, [newEvent('Opened', {}, t2)], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(`${acct}-1`, [newEvent('Deposited', {}, t1)], {
      expectedRevision: 0n,
    });
    const head = await store.headPosition();

    // EventStoreDB's $all also holds system events: its scans may end past our last event.
    const atHead = (found: bigint, message: string) =>
      gapFree ? t.equal(found, head, message) : t.ok(found >= head, message);
    const mine = (await store.readAll(start, { maxCount: 1000 })).events.filter((e) =>
      [t1, t2].includes(e.metadata.tenantId),
    );
    t.same(
      mine.map((e) => e.type),
      ['Opened', 'Requested', 'Opened', 'Deposited'],
      'every event in commit order',
    );
    const positions = mine.map((e) => e.position);
    t.ok(
      positions.every((p, i) => i === 0 || p > positions[i - 1]!),
      'positions strictly increase',
    );
    if (gapFree) {
      t.same(
        positions,
        [1n, 2n, 3n, 4n].map((p) => start + p),
        'positions are gap-free',
      );
    }

    const byTenant = await store.readAll(start, { filter: { tenantId: t1 } });
    t.same(
      byTenant.events.map((e) => e.type),
      ['Opened', 'Deposited'],
      'tenant filter',
    );
    atHead(byTenant.lastPosition, 'the scan ends at the head');
    const byCategory = await store.readAll(start, { filter: { categories: [xfer] } });
    t.same(
      byCategory.events.map((e) => e.streamId),
      [`${xfer}-1`],
      'category filter',
    );
    const byType = await store.readAll(start, {
      filter: { tenantId: t2, types: ['Opened', 'Deposited'] },
    });
    t.same(
      byType.events.map((e) => e.streamId),
      [`${acct}-2`],
      'type and tenant filters',
    );

    const nothing = await store.readAll(start, { filter: { types: [unique('Never')] } });
    t.same(nothing.events, [], 'nothing matched');
    atHead(nothing.lastPosition, 'lastPosition still moves past what was scanned');
    const past = await store.readAll(head, { filter: { tenantId: t1 } });
    t.equal(past.events.length, 0, 'nothing after the head');
    atHead(past.lastPosition, 'reading from the head stays there');

    const page = await store.readAll(start, { filter: { tenantId: t1 }, maxCount: 1 });
    t.same(
      page.events.map((e) => e.type),
      ['Opened'],
      'a full page',
    );
    t.equal(page.lastPosition, page.events[0]!.position, 'a full page ends at its last event');
    const next = await store.readAll(page.lastPosition, { filter: { tenantId: t1 }, maxCount: 1 });
    t.same(
      next.events.map((e) => e.type),
      ['Deposited'],
      'the next page resumes after it',
    );
  });
}
