import { randomUUID } from 'node:crypto';
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import t from 'tap';
import { durableName } from '../src/runner/consumer.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

/**
 * A fetch whose pull request the server dropped without a word: nothing ever arrives, and
 * it ends only when closed (nats.js would end it after two missed heartbeats, seconds later).
 */
function silentFetch(): ConsumerMessages {
  let end: () => void = () => undefined;
  const ended = new Promise<void>((r) => {
    end = r;
  });
  const silent = {
    [Symbol.asyncIterator](): AsyncIterator<JsMsg> {
      return {
        next: async () => {
          await ended;
          return { done: true, value: undefined };
        },
      };
    },
    async close() {
      end();
    },
  };
  return silent as unknown as ConsumerMessages;
}

/** infra.js whose consumer's first fetch is silent; later fetches are real. */
function withFirstFetchSilent(js: JetStreamClient) {
  let fetches = 0;
  const get = async (stream: string, name: string): Promise<Consumer> => {
    const real = await js.consumers.get(stream, name);
    return new Proxy(real, {
      get(target, property) {
        if (property === 'fetch') {
          return (options: Parameters<Consumer['fetch']>[0]) =>
            ++fetches === 1 ? Promise.resolve(silentFetch()) : target.fetch(options);
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return {
    js: { consumers: { get } } as unknown as JetStreamClient,
    fetches: () => fetches,
  };
}

t.test('a pull the server dropped is asked again once the store is ahead', async (t) => {
  const tenant = randomUUID();
  const { js, fetches } = withFirstFetchSilent(infra.js);
  // An account opened with a deposit, in the store and in JetStream, as the relay would.
  const openWithDeposit = async (amount: bigint) => {
    const log = new EventLog();
    const account = randomUUID();
    log.open(tenant, account);
    log.deposit(tenant, account, amount);
    const events = await appendLog(infra.eventStore, log);
    await publishEvents(infra.js, infra.nats.subjectPrefix, events);
    return events;
  };

  // Applied by the catch-up from the store on start: once it is, the runner lives on what
  // JetStream delivers (else the start could read the next events too, and nothing would be
  // left for the silent pull to hold back).
  const before = await openWithDeposit(1n);
  const runner = startRunner({ ...infra, js }, { idleMs: 100 });
  t.teardown(() => runner.stop());
  await runner.start();
  await reaches(infra, before.at(-1)!.position);
  await eventually('the first fetch', async () => fetches() >= 1, 10_000);

  // The only pull is silent: the idle read from the store applies them, and the silent
  // pull is ended and asked again.
  const firstEvents = await openWithDeposit(5n);
  await reaches(infra, firstEvents.at(-1)!.position);
  await eventually('a second fetch', async () => fetches() >= 2, 10_000);

  // Later events come through JetStream again, and every message is acknowledged.
  const secondEvents = await openWithDeposit(7n);
  const published = before.length + firstEvents.length + secondEvents.length;
  await eventually(
    'every message delivered and acked',
    async () => {
      const info = await infra.jsm.consumers.info(infra.nats.stream, durableName('accounts'));
      return info.ack_floor.stream_seq === published && info.num_pending === 0;
    },
    10_000,
  );
  await reaches(infra, secondEvents.at(-1)!.position);
  await runner.stop();

  t.ok(fetches() >= 2, `${fetches()} fetches`);
  t.same(
    (await readTenant(infra.db, tenant)).accounts,
    expectTenant([...before, ...firstEvents, ...secondEvents], tenant).accounts,
    'the read model is right',
  );
});
