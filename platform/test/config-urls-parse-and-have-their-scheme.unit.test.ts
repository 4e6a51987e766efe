import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

/** The message loadConfig throws for `env`, or '' when it accepts it. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return '';
  } catch (err) {
    return err instanceof ConfigError ? err.message : `not a ConfigError: ${String(err)}`;
  }
}

const ESDB = { EVENT_STORE: 'eventstoredb' };

t.test(
  'a value that is not a URL is refused, naming the variable and the scheme expected',
  async (t) => {
    const cases: [string, string, RegExp][] = [
      [
        'DATABASE_URL',
        'not a url',
        /DATABASE_URL: expected a URL like postgres:\/\/.*postgres: or postgresql:/,
      ],
      ['NATS_URL', 'garbage', /NATS_URL: expected .*nats:\/\/.*\(nats:\)/],
      ['REDIS_URL', '::::', /REDIS_URL: expected a URL like redis:\/\/.*redis: or rediss:/],
      [
        'EVENTSTORE_URL',
        'garbage',
        /EVENTSTORE_URL: expected a URL like esdb:\/\/.*esdb: or esdb\+discover:/,
      ],
    ];
    for (const [name, value, expected] of cases) {
      const message = refusal({ ...ESDB, [name]: value });
      t.match(message, expected, `${name}=${value}`);
      t.match(message, /does not parse as a URL/, `${name}=${value} says why`);
    }
  },
);

t.test('a URL of another scheme is refused: mysql:// no longer starts the system', async (t) => {
  t.match(
    refusal({ DATABASE_URL: 'mysql://root@127.0.0.1:5432/x' }),
    /DATABASE_URL: .*, got mysql:/,
  );
  t.match(refusal({ NATS_URL: 'http://127.0.0.1:4222' }), /NATS_URL: .*, got http:/);
  // The Node client ignores the scheme (TLS whenever the server offers it) and refuses
  // WebSocket, so neither would do what it says.
  t.match(refusal({ NATS_URL: 'tls://127.0.0.1:4222' }), /NATS_URL: .*, got tls:/);
  t.match(refusal({ NATS_URL: 'wss://127.0.0.1:443' }), /NATS_URL: .*, got wss:/);
  t.match(refusal({ REDIS_URL: 'memcached://127.0.0.1:11211' }), /REDIS_URL: .*, got memcached:/);
  t.match(
    refusal({ ...ESDB, EVENTSTORE_URL: 'https://127.0.0.1:2113' }),
    /EVENTSTORE_URL: .*, got https:/,
  );
});

t.test('the URLs each client can use are accepted', async (t) => {
  const accepted: Record<string, string>[] = [
    { DATABASE_URL: 'postgres://u:p@db.internal:5432/techflow?sslmode=require' },
    { DATABASE_URL: 'postgresql:///techflow?host=/var/run/postgresql' },
    { NATS_URL: 'nats://127.0.0.1:4222' },
    { NATS_URL: 'nats://a:4222, nats://b:4222,nats://c:4222' },
    { REDIS_URL: 'redis://127.0.0.1:6379/0' },
    { REDIS_URL: 'rediss://:p@cache.internal:6380' },
    { ...ESDB, EVENTSTORE_URL: 'esdb://eventstoredb:2113?tls=false' },
    { ...ESDB, EVENTSTORE_URL: 'esdb://admin:changeit@a:2113,b:2113,c:2113?tls=true' },
    { ...ESDB, EVENTSTORE_URL: 'esdb+discover://cluster.internal:2113' },
  ];
  for (const env of accepted) t.equal(refusal(env), '', JSON.stringify(env));
});

t.test('each of several servers or seeds is checked, and a host is required', async (t) => {
  t.match(refusal({ NATS_URL: 'nats://a:4222,b:4222' }), /NATS_URL: .*, got b:/);
  t.match(refusal({ NATS_URL: 'nats://a:4222,' }), /NATS_URL: .*does not parse/);
  t.match(
    refusal({ ...ESDB, EVENTSTORE_URL: 'esdb://a:2113,b:x?tls=false' }),
    /EVENTSTORE_URL: .*does not parse/,
  );
  t.match(refusal({ NATS_URL: 'nats:4222' }), /NATS_URL: .*names no host/);
  t.match(refusal({ REDIS_URL: 'redis:' }), /REDIS_URL: .*names no host/);
});

t.test('a refused URL never appears in the message: it may hold a password', async (t) => {
  for (const [name, value] of [
    ['DATABASE_URL', 'mysql://root:hunter2@127.0.0.1:5432/x'],
    ['DATABASE_URL', 'postgres://root:hunter2@127.0.0.1:99999/x'],
    ['NATS_URL', 'nats://u:hunter2@a:4222,tls://u:hunter2@b:4222'],
    ['REDIS_URL', 'redis://:hunter2@cache:port'],
    ['EVENTSTORE_URL', 'esdb://admin:hunter2@a:2113,b:x'],
  ] as const) {
    const message = refusal({ ...ESDB, [name]: value });
    t.match(message, new RegExp(`^invalid configuration: ${name}: `), `${name} refused`);
    t.notMatch(message, /hunter2/, `${name}: no password`);
  }
});
