import { createTestDatabase, deadPort } from '@techflow/platform/testing';
import t from 'tap';
import { type Child, kill, spawnProjectors } from './support/children.js';
import { eventually } from './support/infra.js';

// A regression: the wait for NATS logged NATS_URL as configured, password and all.
t.test('waiting for NATS logs its URL without the password', async (t) => {
  const database = await createTestDatabase('tf_proj_redact');
  let child: Child | undefined;
  t.teardown(async () => {
    if (child) await kill(child);
    await database.drop();
  });
  child = spawnProjectors('relay', {
    DATABASE_URL: database.url,
    NATS_URL: `nats://admin:s3cretpw@127.0.0.1:${await deadPort()}`,
    LOG_LEVEL: 'info',
  });
  const output = child.output;
  await eventually('the wait for NATS is logged', async () =>
    output.some((l) => l.includes('waiting for NATS')),
  );
  const line = JSON.parse(output.find((l) => l.includes('waiting for NATS')) ?? '{}');
  t.match(line, { url: /^nats:\/\/admin:\*\*\*@127\.0\.0\.1:\d+$/ });
  t.notOk(
    output.some((l) => l.includes('s3cretpw')),
    'no line holds the password',
  );
});
