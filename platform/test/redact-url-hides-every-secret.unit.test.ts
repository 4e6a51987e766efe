import t from 'tap';
import { redactUrl } from '../src/redact-url.js';

const SECRET = 's3cretpw';

t.test('passwords, tokens and secret parameters never survive; the rest is kept', async (t) => {
  const cases: Array<[string, string]> = [
    ['postgres://postgres@127.0.0.1:5432/techflow', 'postgres://postgres@127.0.0.1:5432/techflow'],
    [
      `postgres://techflow:${SECRET}@postgres:5432/techflow`,
      'postgres://techflow:***@postgres:5432/techflow',
    ],
    [
      `postgres://u@h/db?sslmode=require&password=${SECRET}`,
      'postgres://u@h/db?sslmode=require&password=***',
    ],
    [`nats://admin:${SECRET}@nats:4222`, 'nats://admin:***@nats:4222'],
    // NATS token authentication: the token stands where a user name would.
    [`nats://${SECRET}@nats:4222`, 'nats://***@nats:4222'],
    [
      `nats://a:${SECRET}@n1:4222, nats://b:${SECRET}@n2:4222`,
      'nats://a:***@n1:4222, nats://b:***@n2:4222',
    ],
    [`a:${SECRET}@n1:4222`, 'a:***@n1:4222'],
    [`redis://:${SECRET}@redis:6379`, 'redis://:***@redis:6379'],
    [`rediss://default:${SECRET}@redis:6380/0`, 'rediss://default:***@redis:6380/0'],
    [
      `esdb://admin:${SECRET}@es1:2113,es2:2113?tls=false`,
      'esdb://admin:***@es1:2113,es2:2113?tls=false',
    ],
    [`esdb+discover://admin:${SECRET}@cluster:2113`, 'esdb+discover://admin:***@cluster:2113'],
    // Unescaped `@` in a password: everything up to the last one is hidden.
    [`postgres://u:${SECRET}@x@h/db`, 'postgres://u:***@h/db'],
    [`host=h password=${SECRET} user=u`, 'host=h password=*** user=u'],
  ];
  for (const [url, shown] of cases) {
    const redacted = redactUrl(url);
    t.equal(redacted, shown, url);
    t.notMatch(redacted, SECRET, `${url}: no secret left`);
  }
});
