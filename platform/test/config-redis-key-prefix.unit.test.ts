// The rate-limit keys' prefix was hard-coded, so two systems on one Redis shared every count.
import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

t.test('REDIS_KEY_PREFIX: techflow: unless set; plain characters only', async (t) => {
  t.equal(loadConfig({}).REDIS_KEY_PREFIX, 'techflow:');
  t.equal(loadConfig({ REDIS_KEY_PREFIX: '' }).REDIS_KEY_PREFIX, 'techflow:', 'empty is unset');
  t.equal(loadConfig({ REDIS_KEY_PREFIX: 'tf-b:' }).REDIS_KEY_PREFIX, 'tf-b:');
  for (const bad of ['has space', 'star*', 'x'.repeat(65)]) {
    t.throws(() => loadConfig({ REDIS_KEY_PREFIX: bad }), ConfigError, JSON.stringify(bad));
    try {
      loadConfig({ REDIS_KEY_PREFIX: bad });
    } catch (err) {
      t.match(String(err), /REDIS_KEY_PREFIX: /, 'the message names it');
    }
  }
});
