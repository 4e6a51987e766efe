import { randomUUID } from 'node:crypto';
import { streamName } from '@techflow/domain';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

// Graceful shutdown: closing the app while commands are in flight lets each of them finish and
// answer; nothing that was appended goes unanswered, nothing answered is missing.
t.test('closing under load answers every in-flight command and loses none', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  const opened = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { name: 'Main', currency: 'EUR' },
  });
  const { accountId } = opened.json();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // Close as soon as the first command is answered, while the others are in flight.
  let startClose: () => void = () => undefined;
  const closeStarted = new Promise<void>((r) => {
    startClose = r;
  });
  const outcomes = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/accounts/${accountId}/deposits`, {
          method: 'POST',
          headers: { ...owner.auth, 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ amount: '100', reference: `r${i}-${randomUUID().slice(0, 6)}` }),
        });
        const body = (await res.json()) as { entryId?: string };
        if (res.status === 201) startClose();
        return { status: res.status, entryId: body.entryId };
      } catch {
        return { status: 0, entryId: undefined }; // refused: the server had stopped accepting
      }
    }).concat(
      (async () => {
        await closeStarted;
        await app.close();
        return { status: -1, entryId: undefined };
      })(),
    ),
  );
  const answers = outcomes.filter((o) => o.status !== -1);
  const count = (status: number) => answers.filter((o) => o.status === status).length;
  t.comment(`201: ${count(201)}, 503: ${count(503)}, not accepted: ${count(0)}`);
  t.same(
    answers.filter((o) => ![201, 503, 0].includes(o.status)),
    [],
    'each request was answered 201, refused with 503, or not accepted',
  );
  t.ok(
    answers.some((o) => o.status === 201),
    'some commands were in flight and finished',
  );
  const events = await eventStore.readStream(streamName('account', owner.tenantId, accountId));
  const stored = new Set(
    events.filter((e) => e.type === 'FundsDeposited').map((e) => String(e.data['entryId'])),
  );
  const answered = new Set(answers.filter((o) => o.status === 201).map((o) => o.entryId ?? ''));
  t.same(
    [...answered].filter((id) => !stored.has(id)),
    [],
    'every 201 is in the event store',
  );
  t.same(
    [...stored].filter((id) => !answered.has(id)),
    [],
    'nothing was appended unanswered',
  );
});
