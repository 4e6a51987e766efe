// PROJECTORS_ROLE was read by the projectors alone: `npm start` started the other services
// before a bad one stopped the projectors, and an empty one was refused although an empty
// variable is unset everywhere else.
import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

t.test('PROJECTORS_ROLE is one of its choices, all by default and when empty', async (t) => {
  t.throws(
    () => loadConfig({ PROJECTORS_ROLE: 'bogus' }),
    new ConfigError(
      "invalid configuration: PROJECTORS_ROLE: expected one of relay, projections, all, got 'bogus'",
    ),
  );
  t.equal(loadConfig({}).PROJECTORS_ROLE, 'all');
  t.equal(loadConfig({ PROJECTORS_ROLE: '' }).PROJECTORS_ROLE, 'all');
  t.equal(loadConfig({ PROJECTORS_ROLE: 'relay' }).PROJECTORS_ROLE, 'relay');
});
