// Regression: `{"amount":"1","amount":"2"}` deposited 2 (JSON.parse keeps the last key), an
// amount a proxy, a log or the client's own reading may have taken for 1.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

t.test('a body with a key twice or a reserved key is refused and appends nothing', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  const accountId = randomUUID();
  const opened = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Main', currency: 'EUR' },
  });
  t.equal(opened.statusCode, 201);
  const deposit = (payload: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/accounts/${accountId}/deposits`,
      headers: { ...owner.auth, 'content-type': 'application/json' },
      payload,
    });
  const head = await eventStore.headPosition();
  const cases = [
    ['{"amount":"1","amount":"2"}', 'duplicate_json_key', /^body\/amount appears more than once/],
    ['{"amount":"1","\\u0061mount":"2"}', 'duplicate_json_key', /^body\/amount/],
    ['{"amount":"1","__proto__":{"amount":"2"}}', 'validation_failed', /__proto__ is not allowed/],
    ['{"amount":"1","constructor":{"prototype":{}}}', 'validation_failed', /constructor is not/],
  ] as const;
  for (const [payload, code, detail] of cases) {
    const res = await deposit(payload);
    t.equal(res.statusCode, 400, `${payload}: 400`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json().code, code, `${payload}: code`);
    t.match(res.json().detail, detail, `${payload}: detail`);
    t.equal(await eventStore.headPosition(), head, `${payload}: nothing appended`);
  }
  t.equal((await deposit('{"amount":"2"}')).statusCode, 201, 'the same deposit sent once is taken');
});
