import t from 'tap';
import { isJsonObject, toJsonObject } from '../src/json.js';

t.test('plain JSON passes', async (t) => {
  t.ok(isJsonObject({ a: 1, b: 'x', c: [true, null, { d: 'é😀' }], e: undefined }));
  t.ok(isJsonObject(Object.assign(Object.create(null), { a: 1 })), 'a null-prototype object');
});

t.test('what would hash one way and be stored another is refused', async (t) => {
  const refused: [string, object][] = [
    ['a Date', { at: new Date('2025-01-01') }],
    ['a URL', { u: new URL('https://example.test') }],
    ['a Map', { m: new Map([['a', 1]]) }],
    ['a class instance', { x: new (class Point {})() }],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    ['a sparse array', { a: [1, , 3] }],
    ['a bigint', { n: 1n }],
    ['NaN', { n: Number.NaN }],
    ['a NUL in a string', { s: 'a\u0000b' }],
    ['an unpaired surrogate', { s: 'a\ud800' }],
    ['a NUL in a key', { 'a\u0000': 1 }],
    ['a function', { f: () => 1 }],
  ];
  for (const [name, value] of refused) {
    t.notOk(isJsonObject(value), name);
    t.throws(() => toJsonObject(value, 'X data'), /X data is not plain JSON/, name);
  }
  t.notOk(isJsonObject(new Date()), 'a Date is not an object of members');
});
