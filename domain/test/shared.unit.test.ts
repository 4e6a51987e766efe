import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import t from 'tap';
import {
  canonicalUuid,
  DomainError,
  isAmountInRange,
  isCurrency,
  isDomainError,
  MAX_AMOUNT,
  parseMinor,
  parseStreamName,
  registerFormats,
  streamCategory,
  streamName,
  UUID_PATTERN,
} from '../src/index.js';

registerFormats();

t.test('uuid format accepts only the canonical 36-character form', async (t) => {
  const Uuid = Type.String({ format: 'uuid' });
  t.ok(Value.Check(Uuid, '0190f3a4-5b6c-7d8e-9f00-aabbccddeeff'));
  t.ok(Value.Check(Uuid, 'ABCDEF01-2345-4678-89AB-CDEF01234567'), 'either case');
  t.notOk(Value.Check(Uuid, 'urn:uuid:0190f3a4-5b6c-7d8e-9f00-aabbccddeeff'));
  t.notOk(Value.Check(Uuid, '0190f3a45b6c7d8e9f00aabbccddeeff'));
  t.notOk(Value.Check(Uuid, 'not-a-uuid'));
});

t.test('canonicalUuid gives every form of one UUID the one form stream names hold', async (t) => {
  const canonical = '0190f3a4-5b6c-7d8e-9f00-aabbccddeeff';
  for (const form of [
    canonical,
    canonical.toUpperCase(),
    `urn:uuid:${canonical}`,
    `URN:UUID:${canonical.toUpperCase()}`,
  ]) {
    t.equal(canonicalUuid(form), canonical, form);
    t.match(canonicalUuid(form), UUID_PATTERN);
  }
});

t.test('email format agrees with ajv-formats', async (t) => {
  const Email = Type.String({ format: 'email' });
  t.ok(Value.Check(Email, 'ada.lovelace+ledger@example.co.uk'));
  t.notOk(Value.Check(Email, 'ada@localhost'), 'a domain needs a dot');
  t.notOk(Value.Check(Email, 'ada@@example.com'));
  t.notOk(Value.Check(Email, 'ada example.com'));
});

t.test('amounts in range are positive with at most 19 digits', async (t) => {
  t.equal(MAX_AMOUNT.toString().length, 19);
  t.ok(isAmountInRange(1n));
  t.ok(isAmountInRange(MAX_AMOUNT));
  t.notOk(isAmountInRange(0n));
  t.notOk(isAmountInRange(MAX_AMOUNT + 1n));
  t.equal(parseMinor('-300'), -300n);
  t.ok(isCurrency('EUR'));
  t.notOk(isCurrency('EURO'));
});

t.test('domain errors carry a code', async (t) => {
  const error = new DomainError('insufficient_funds');
  t.equal(error.message, 'insufficient_funds');
  t.equal(error.name, 'DomainError');
  t.ok(isDomainError(error));
  t.notOk(isDomainError(new Error('insufficient_funds')));
});

t.test('stream names carry the tenant and survive a round trip', async (t) => {
  const tenant = '33333333-3333-4333-8333-333333333333';
  const name = streamName('account', tenant, 'abc');
  t.equal(name, `account-${tenant}:abc`);
  t.same(parseStreamName(name), { category: 'account', tenantId: tenant, id: 'abc' });
  t.equal(parseStreamName('account-nope:abc'), null);
  t.equal(streamCategory(name), 'account');
  t.equal(streamCategory('$all'), '$all');
});
