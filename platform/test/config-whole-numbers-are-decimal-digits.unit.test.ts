import t from 'tap';
import { ConfigError, loadConfig, readWholeNumber } from '../src/index.js';

t.test('a number in any form but decimal digits is refused, not converted', async (t) => {
  // Each was read as a number nobody wrote: 1e3 became 1, 8080.5 8080, 0x50 80, true 1.
  for (const value of [
    '1e3',
    '8080.5',
    '0x50',
    'true',
    '+80',
    '-1',
    ' 80',
    '80 ',
    '8_080',
    '８０',
    'NaN',
    'Infinity',
  ]) {
    t.throws(
      () => loadConfig({ PORT: value }),
      new ConfigError(
        `invalid configuration: PORT: expected a whole number from 0 to 65535 (decimal digits), got '${value}'`,
      ),
      `PORT=${JSON.stringify(value)}`,
    );
  }
});

t.test('the message says what is expected, not a bound the value never met', async (t) => {
  // It said "Expected integer to be greater or equal to 30" for 1e10.
  t.throws(() => loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '1e10' }), {
    message:
      /ACCESS_TOKEN_TTL_SECONDS: expected a whole number of seconds from 30 to \d+ \(decimal digits\), got '1e10'/,
  });
});

t.test('every bad number is named at once', async (t) => {
  t.throws(() => loadConfig({ PORT: '1e3', PG_POOL_SIZE: '2.5', SHUTDOWN_GRACE_MS: '0x10' }), {
    message: /PORT: .*'1e3'; PG_POOL_SIZE: .*'2\.5'; SHUTDOWN_GRACE_MS: .*'0x10'/,
  });
});

t.test('decimal digits are read as the number they say', async (t) => {
  const config = loadConfig({
    PORT: '80',
    COMMAND_PORT: '0',
    QUERY_PORT: '08082',
    PG_POOL_SIZE: '25',
  });
  t.equal(config.PORT, 80);
  t.equal(config.COMMAND_PORT, 0);
  t.equal(config.QUERY_PORT, 8082, 'a leading zero is still decimal');
  t.equal(config.PG_POOL_SIZE, 25);
  t.equal(loadConfig({ PORT: '' }).PORT, 8080, 'empty is unset');
});

t.test('a variable read outside the config is read as strictly', async (t) => {
  const spec = { minimum: 1, maximum: 3_600_000, unit: 'milliseconds', default: 60_000 };
  t.equal(readWholeNumber({}, 'STARTUP_TIMEOUT_MS', spec), 60_000);
  t.equal(readWholeNumber({ STARTUP_TIMEOUT_MS: '1500' }, 'STARTUP_TIMEOUT_MS', spec), 1500);
  t.throws(() => readWholeNumber({ STARTUP_TIMEOUT_MS: '1e3' }, 'STARTUP_TIMEOUT_MS', spec), {
    name: 'ConfigError',
    message:
      /STARTUP_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 3600000 \(decimal digits\), got '1e3'/,
  });
});
