import { ExpectedRevisionConflict } from '../port.js';
import {
  type ContractOptions,
  type ContractTest,
  newEvent,
  rejectionOf,
  storeFor,
  unique,
} from './fixtures.js';

export function multiStreamContract(t: ContractTest, options: ContractOptions): void {
  const skip = options.capabilities?.multiStream === false && `${options.name}: single stream only`;
  t.test('several streams in one commit, all or nothing', { skip }, async (t) => {
    const store = await storeFor(t, options);
    const from = `${unique('c')}-from`;
    const to = `${unique('c')}-to`;
    await store.appendToStream(from, [newEvent('Opened')], { expectedRevision: 'no_stream' });
    const head = await store.headPosition();

    const conflict = await rejectionOf(
      store.appendToStreams([
        { streamId: from, events: [newEvent('Debited')], expectedRevision: 0n },
        { streamId: to, events: [newEvent('Credited')], expectedRevision: 'stream_exists' },
      ]),
    );
    t.ok(conflict instanceof ExpectedRevisionConflict, 'one stale stream fails the command');
    if (conflict instanceof ExpectedRevisionConflict) t.equal(conflict.streamId, to);
    t.equal(await store.headPosition(), head, 'neither stream was written');
    t.equal((await store.readStream(from)).length, 1);

    const outcome = await store.appendToStreams([
      { streamId: from, events: [newEvent('Debited')], expectedRevision: 0n },
      {
        streamId: to,
        events: [newEvent('Credited'), newEvent('Noted')],
        expectedRevision: 'no_stream',
      },
    ]);
    if (outcome.kind !== 'appended') throw new Error('expected appended');
    t.same(
      outcome.streams.map((s) => [s.streamId, s.nextExpectedRevision]),
      [
        [from, 1n],
        [to, 1n],
      ],
    );
    const [debit] = await store.readStream(from, { fromRevision: 1n });
    const credits = await store.readStream(to);
    t.equal(outcome.position, credits[1]!.position, 'position of the last event written');
    t.equal(outcome.streams[0]!.position, debit!.position);
    t.ok(debit!.position < credits[0]!.position, 'the streams are written in the order given');
    t.equal(debit!.recordedAt, credits[0]!.recordedAt, 'one commit');
  });
}
