import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

interface Operation {
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

t.test('the document says what the routes answer', async (t) => {
  const { app } = await startCommandService(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  const post = (path: string) => doc.paths[path]?.['post'];

  for (const action of ['freeze', 'unfreeze', 'close']) {
    const body = post(`/v1/accounts/{id}/${action}`)?.requestBody;
    t.equal(body?.required, false, `${action}: a bodiless POST is accepted, so not required`);
    t.notMatch(JSON.stringify(body), /x-optional-body/, `${action}: the mark is gone`);
  }
  t.equal(post('/v1/accounts/{id}/deposits')?.requestBody?.required, true);

  const posts = Object.entries(doc.paths).flatMap(([path, ops]) =>
    ops['post'] && path.startsWith('/v1/') ? [[path, ops['post']] as const] : [],
  );
  t.ok(
    posts.some(([path]) => path === '/v1/signup'),
    'identity routes are there',
  );
  for (const [path, op] of posts) {
    const statuses = ['409', '503', ...(op.requestBody ? ['413', '415'] : [])];
    for (const status of statuses) {
      t.same(
        Object.keys(op.responses[status]?.content ?? {}),
        ['application/problem+json'],
        `${path}: ${status} is documented as a problem`,
      );
    }
  }
});
