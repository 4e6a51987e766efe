import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

t.test(
  'EVENT_STORE=eventstoredb without EVENTSTORE_URL is refused at load, naming it',
  async (t) => {
    for (const env of [
      { EVENT_STORE: 'eventstoredb' },
      { EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: '' },
    ]) {
      t.throws(
        () => loadConfig(env),
        new ConfigError(
          'invalid configuration: EVENTSTORE_URL: required with EVENT_STORE=eventstoredb (esdb://host:2113?tls=false)',
        ),
        JSON.stringify(env),
      );
    }
  },
);

t.test('with its URL, or with the Postgres event store, it loads', async (t) => {
  const url = 'esdb://eventstoredb:2113?tls=false';
  t.equal(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: url }).EVENTSTORE_URL, url);
  t.equal(loadConfig({}).EVENT_STORE, 'postgres');
  t.equal(loadConfig({}).EVENTSTORE_URL, undefined);
});
