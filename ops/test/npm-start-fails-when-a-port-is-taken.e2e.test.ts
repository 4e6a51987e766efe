// `npm start` with a child's port held by another process (here a server answering /ready
// with 200, as another `npm start`'s child would): it used to log that child ready and serve
// the gateway in front of the other process. It must fail, naming the port, and proxy nothing.

import { createServer } from 'node:http';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import t from 'tap';
import { runStartToExit } from './helpers/system.js';

t.test('a taken port fails the start at once, naming it; nothing is reported ready', async (t) => {
  const database = await createTestDatabase('tf_ops_taken');
  const nats = createTestNats();
  let asked = 0;
  const other = createServer((_, res) => {
    asked++;
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    await new Promise((r) => other.close(r));
    await nats.cleanup();
    await database.drop();
  });
  const address = other.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const { code, output, lines } = await runStartToExit(
    {
      DATABASE_URL: database.url,
      NATS_STREAM: nats.stream,
      NATS_SUBJECT_PREFIX: nats.subjectPrefix,
      LOG_LEVEL: 'info',
      PORT: '0',
      COMMAND_PORT: String(port),
    },
    90_000,
  );
  const supervisorLines = lines.filter((l) => l.name === 'supervisor');

  t.equal(code, 1, 'npm start exits 1');
  const named = supervisorLines.some(
    (l) =>
      l.level === 60 &&
      l.msg ===
        `command-service exited before it was ready (exit code 1): port ${port} (COMMAND_PORT) on 127.0.0.1 is already in use by another process`,
  );
  t.ok(named, "the supervisor's fatal line names the port");
  if (!named) t.comment(output);
  t.notOk(
    supervisorLines.some((l) => l.msg === 'service ready' || l.msg === 'ready'),
    'nothing was reported ready',
  );
  t.equal(asked, 0, 'the other process was never asked');
});
