import { createHash } from 'node:crypto';
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
