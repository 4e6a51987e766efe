import { createHash } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import { canonicalJson, chainHash, contentHash } from '../src/event-store/hash-chain.js';
import type { NewEvent } from '../src/event-store/port.js';

t.test('canonicalJson sorts keys at every depth and drops whitespace', async (t) => {
  t.equal(
    canonicalJson({ b: 1, a: { d: [true, null, { z: 'x', y: 'é' }], c: -0.5 } }),
    '{"a":{"c":-0.5,"d":[true,null,{"y":"é","z":"x"}]},"b":1}',
  );
  t.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }), 'key order is irrelevant');
});

/** The first version, kept as the oracle: stored hashes were computed with its text. */
const firstCanonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(firstCanonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${firstCanonicalJson(v)}`).join(',')}}`;
};

t.test('canonicalJson writes exactly the text its first version wrote', async (t) => {
  const anything = fc.anything({
    withBigInt: false,
    withBoxedValues: false,
    withDate: true,
    withMap: false,
    withSet: false,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: false,
    withUnicodeString: true,
  });
  fc.assert(
    fc.property(
      fc.oneof(fc.jsonValue(), anything),
      (value) => canonicalJson(value) === firstCanonicalJson(value),
    ),
    { numRuns: 2000 },
  );
  t.pass('2,000 values, jsonValue and anything');
  t.equal(canonicalJson({ a: undefined, b: [undefined, 1] }), '{"b":[null,1]}');
});

t.test('contentHash covers the event, its stream and its metadata, nothing else', async (t) => {
  const event: NewEvent = {
    eventId: '00000000-0000-4000-8000-000000000001',
    type: 'FundsDeposited',
    version: 1,
    data: { amount: '100' },
    metadata: {
      tenantId: 't1',
      actor: 'user:u1',
      correlationId: 'c1',
      causationId: null,
      occurredAt: '2025-01-01T00:00:00.000Z',
    },
  };
  const expected = createHash('sha256')
    .update(
      '{"data":{"amount":"100"},"eventId":"00000000-0000-4000-8000-000000000001",' +
        '"metadata":{"actor":"user:u1","causationId":null,"correlationId":"c1",' +
        '"occurredAt":"2025-01-01T00:00:00.000Z","tenantId":"t1"},' +
        '"streamId":"account-1","type":"FundsDeposited","version":1}',
    )
    .digest('hex');
  t.equal(contentHash('account-1', event), expected);
  t.not(contentHash('account-2', event), expected, 'the stream is part of the content');
});

t.test('chainHash links the previous hash, the revision and the content', async (t) => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  t.equal(chainHash(null, 0n, 'abc'), sha('|0|abc'));
  t.equal(chainHash('prev', 7n, 'abc'), sha('prev|7|abc'));
});
