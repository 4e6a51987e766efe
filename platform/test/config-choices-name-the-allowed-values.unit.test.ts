import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

t.test('a value outside a setting’s choices is refused with the choices', async (t) => {
  // TypeBox's own message was "Expected union value".
  t.throws(
    () => loadConfig({ LOG_LEVEL: 'verbose', EVENT_STORE: 'kurrent' }),
    new ConfigError(
      "invalid configuration: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got 'verbose'; EVENT_STORE: expected one of postgres, eventstoredb, got 'kurrent'",
    ),
  );
  t.equal(loadConfig({ LOG_LEVEL: 'debug' }).LOG_LEVEL, 'debug');
});
