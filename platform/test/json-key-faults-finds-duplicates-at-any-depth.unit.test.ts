// JSON.parse keeps the last of two equal keys, so `{"amount":"1","amount":"2"}` was a deposit
// of 2: the key scan must find every duplicate, at any depth and in any spelling, and nothing
// in a document without one.
import fc from 'fast-check';
import t from 'tap';
import { findKeyFault } from '../src/json-key-faults.js';

t.test('duplicates and reserved keys are found, with their pointer', async (t) => {
  const cases = [
    ['{"amount":"1","amount":"2"}', 'duplicate', '/amount'],
    ['{ "amount" : "1" ,\n "amount" : "2" }', 'duplicate', '/amount'],
    ['{"a":{"b":1,"c":{"d":1,"d":2}}}', 'duplicate', '/a/c/d'],
    ['{"items":[{"id":1},{"id":2,"x":[],"id":3}]}', 'duplicate', '/items/1/id'],
    ['[[1,2],{"k":1,"k":1}]', 'duplicate', '/1/k'],
    ['{"amount":"1","\\u0061mount":"2"}', 'duplicate', '/amount'],
    ['{"a/b":1,"a/b":2}', 'duplicate', '/a~1b'],
    ['{"__proto__":{"admin":true}}', 'reserved', '/__proto__'],
    ['{"a":[{"\\u005f_proto__":1}]}', 'reserved', '/a/0/__proto__'],
    ['{"constructor":{"prototype":{}}}', 'reserved', '/constructor'],
  ] as const;
  for (const [text, kind, pointer] of cases) {
    t.same(findKeyFault(text), { kind, pointer }, text);
  }
});

t.test('strings that look like keys, and equal keys in other objects, are fine', async (t) => {
  const fine = [
    '{"a":"\\"a\\":1","b":"a"}',
    '{"a":"\\\\","b":"\\\\\\"","c":1}',
    '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}',
    '{"a":"{\\"a\\":1,\\"a\\":2}"}',
    '{"proto":"__proto__","ctor":"constructor"}',
    '[]',
    '"constructor"',
    '{}',
  ];
  for (const text of fine) t.equal(findKeyFault(text), undefined, text);
});

t.test('JSON.stringify never writes a fault; one key written twice is found', async (t) => {
  const value = fc.jsonValue().filter((v) => !JSON.stringify(v).match(/"(__proto__|constructor)"/));
  fc.assert(
    fc.property(value, (v) => findKeyFault(JSON.stringify(v)) === undefined),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(value, fc.string(), (v, key) => {
      if (key === '__proto__' || key === 'constructor') return true;
      const member = `${JSON.stringify(key)}:${JSON.stringify(v)}`;
      const fault = findKeyFault(`{"x":[{${member},"y":null,${member}}]}`);
      const pointer = `/x/0/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return fault?.kind === 'duplicate' && fault.pointer === pointer;
    }),
    { numRuns: 500 },
  );
  t.pass('500 documents each');
});
