import t from 'tap';
import { loadConfig, trustProxyOf } from '../src/index.js';

t.test('TRUST_PROXY set empty trusts no proxy', async (t) => {
  // Empty was read as unset, so the documented "empty: none" trusted loopback instead.
  const config = loadConfig({ TRUST_PROXY: '' });
  t.equal(config.TRUST_PROXY, '');
  t.equal(trustProxyOf(config.TRUST_PROXY), false);
});

t.test('unset, it trusts loopback; other variables set empty are still unset', async (t) => {
  t.equal(trustProxyOf(loadConfig({}).TRUST_PROXY), 'loopback');
  t.equal(loadConfig({ PORT: '', LOG_LEVEL: '', NATS_STREAM: '' }).NATS_STREAM, 'TECHFLOW');
});
