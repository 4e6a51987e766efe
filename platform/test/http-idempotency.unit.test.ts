import t from 'tap';
import { canonicalJson } from '../src/canonical-json.js';
import { requestHash } from '../src/http/index.js';

t.test('canonical JSON sorts keys at every depth and drops undefined', async (t) => {
  t.equal(
    canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }),
    '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
  );
  t.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
  t.equal(canonicalJson(undefined), 'null');
});

t.test('the request hash covers method, path and body, not key order', async (t) => {
  const base = requestHash('POST', '/v1/accounts/1/deposits', { amount: '1', reference: 'r' });
  t.equal(base, requestHash('post', '/v1/accounts/1/deposits', { reference: 'r', amount: '1' }));
  t.not(base, requestHash('POST', '/v1/accounts/2/deposits', { amount: '1', reference: 'r' }));
  t.not(base, requestHash('POST', '/v1/accounts/1/deposits', { amount: '2', reference: 'r' }));
  t.not(base, requestHash('PUT', '/v1/accounts/1/deposits', { amount: '1', reference: 'r' }));
  t.match(base, /^[0-9a-f]{64}$/);
});
