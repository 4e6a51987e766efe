import t from 'tap';
import { isTransient } from '../src/db/transient.js';
import { createEventStoreDBEventStore } from '../src/event-store/eventstoredb/eventstoredb-event-store.js';
import { EventStoreUnavailable } from '../src/event-store/port.js';
import { deadPort } from '../src/testing/ports.js';

// No EventStoreDB runs here; one that is down is what this is about. The projection runner
// used to take its client's errors for poison and stop for good when the server was away.
t.test('reads from an EventStoreDB that is down fail as EventStoreUnavailable', async (t) => {
  const store = createEventStoreDBEventStore(`esdb://127.0.0.1:${await deadPort()}?tls=false`, {
    idempotency: {
      find: async () => null,
      remember: async () => undefined,
    },
    pollMs: 50,
  });
  t.teardown(() => store.close());

  const reads: Array<[string, () => Promise<unknown>]> = [
    ['headPosition', () => store.headPosition()],
    ['readAll', () => store.readAll(0n)],
    ['readStream', () => store.readStream('account-1')],
    [
      'aggregateStream',
      () => store.aggregateStream('account-1', { initialState: () => 0, evolve: (s) => s }),
    ],
    ['subscribe', () => store.subscribe({ from: 0n }, async () => undefined).done],
  ];
  for (const [name, read] of reads) {
    const error = await read().then(
      () => null,
      (e: unknown) => e,
    );
    t.type(error, EventStoreUnavailable, `${name}: EventStoreUnavailable`);
    t.ok(isTransient(error), `${name}: transient, so readers wait it out`);
  }
});
