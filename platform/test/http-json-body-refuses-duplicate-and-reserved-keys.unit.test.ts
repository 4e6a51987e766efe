// Regression: `{"amount":"1","amount":"2"}` was taken as 2 (JSON.parse keeps the last), and
// a `__proto__` or `constructor` key was called "could not be parsed as JSON", which is false.
import { Type } from '@sinclair/typebox';
import t from 'tap';
import { quietApp } from './helpers/quiet-app.js';

const json = { 'content-type': 'application/json' };

t.test('a body with a key twice or a reserved key is a 400 problem naming it', async (t) => {
  const app = await quietApp(t);
  let handled = 0;
  app.post(
    '/deposits',
    {
      schema: {
        body: Type.Object(
          {
            amount: Type.String(),
            lines: Type.Optional(Type.Array(Type.Object({ amount: Type.String() }))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      handled++;
      return request.body;
    },
  );
  const cases = [
    ['{"amount":"1","amount":"2"}', 'duplicate_json_key', /^body\/amount appears more than once/],
    [
      '{"amount":"1","lines":[{"amount":"1"},{"amount":"2","amount":"3"}]}',
      'duplicate_json_key',
      /^body\/lines\/1\/amount appears more than once/,
    ],
    ['{"amount":"1","__proto__":{"x":1}}', 'validation_failed', /^body\/__proto__ is not allowed/],
    [
      '{"amount":"1","lines":[{"constructor":{"prototype":{}}}]}',
      'validation_failed',
      /^body\/lines\/0\/constructor is not allowed: keys named __proto__ or constructor/,
    ],
    ['{"amount":"1"', 'malformed_json', /could not be parsed as JSON/],
  ] as const;
  for (const [payload, code, detail] of cases) {
    const res = await app.inject({ method: 'POST', url: '/deposits', headers: json, payload });
    t.equal(res.statusCode, 400, `${payload}: 400`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.json().code, code, `${payload}: code`);
    t.match(res.json().detail, detail, `${payload}: detail`);
  }
  t.equal(handled, 0, 'no handler saw any of them');
  const ok = await app.inject({
    method: 'POST',
    url: '/deposits',
    headers: json,
    payload: '\ufeff{"amount":"1","lines":[{"amount":"1"},{"amount":"2"}]}',
  });
  t.equal(ok.statusCode, 200, 'equal keys in sibling objects are fine, a BOM too');
  t.same(ok.json(), { amount: '1', lines: [{ amount: '1' }, { amount: '2' }] });
});
