import { KindGuard } from '@sinclair/typebox';
import t from 'tap';
import { ConfigSchema, loadConfig, MAX_TIMER_MS } from '../src/index.js';

const wholeNumbers = Object.entries(ConfigSchema.properties).flatMap(([name, schema]) =>
  KindGuard.IsInteger(schema) ? [{ name, schema }] : [],
);

t.test('a grace period past what Node timers hold is refused, naming it', async (t) => {
  // 3e9 ms overflowed setTimeout: a 1 ms timer that cut every in-flight request at shutdown.
  t.throws(() => loadConfig({ SHUTDOWN_GRACE_MS: '3000000000' }), {
    name: 'ConfigError',
    message:
      /SHUTDOWN_GRACE_MS: expected a whole number of milliseconds from 0 to 600000, got 3000000000/,
  });
});

t.test(
  'every whole number has both bounds, and each bound is the last value accepted',
  async (t) => {
    t.ok(wholeNumbers.length >= 15, 'the settings are found');
    for (const { name, schema } of wholeNumbers) {
      const { minimum, maximum } = schema;
      if (minimum === undefined || maximum === undefined) {
        t.fail(`${name} has no ${minimum === undefined ? 'minimum' : 'maximum'}`);
        continue;
      }
      t.ok(Number.isSafeInteger(maximum), `${name}: a safe maximum`);
      const loaded: Record<string, unknown> = loadConfig({ [name]: String(maximum) });
      t.equal(loaded[name], maximum, `${name}=${maximum}`);
      t.throws(() => loadConfig({ [name]: String(maximum + 1) }), {
        message: new RegExp(`${name}: `),
      });
      if (minimum > 0) t.throws(() => loadConfig({ [name]: String(minimum - 1) }), `${name} below`);
    }
  },
);

t.test('every duration in milliseconds fits a Node timer', async (t) => {
  for (const { name, schema } of wholeNumbers.filter((w) => w.name.endsWith('_MS'))) {
    t.ok((schema.maximum ?? Number.POSITIVE_INFINITY) <= MAX_TIMER_MS, `${name} ≤ ${MAX_TIMER_MS}`);
    t.equal(schema['unit'], 'milliseconds', `${name} says its unit`);
  }
});

t.test('ports, pools and limits have the bounds their use needs', async (t) => {
  const { PORT, COMMAND_PORT, QUERY_PORT, PROJECTORS_PORT } = ConfigSchema.properties;
  for (const schema of [PORT, COMMAND_PORT, QUERY_PORT, PROJECTORS_PORT]) {
    t.same([schema.minimum, schema.maximum], [0, 65535], 'a port');
  }
  t.equal(ConfigSchema.properties.PG_POOL_SIZE.minimum, 1, 'a pool has a connection');
  t.equal(ConfigSchema.properties.IDEMPOTENCY_RETENTION_HOURS.minimum, 24, 'the API promises 24 h');
});
