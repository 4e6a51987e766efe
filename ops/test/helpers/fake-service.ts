import { type App, createBaseApp } from '@techflow/platform/http';
import type { Test } from 'tap';

/**
 * A service as the gateway meets one (the services' own base app) with just the routes a test
 * gives it, listening on a free loopback port until the test ends; resolves to its URL.
 */
export async function fakeService(
  t: Test,
  name: string,
  routes: (app: App) => void,
): Promise<string> {
  const app = await createBaseApp({
    name,
    logLevel: 'silent',
    bodyLimit: 1024,
    collectDefaultMetrics: false,
  });
  routes(app);
  t.teardown(() => app.close());
  return app.listen({ port: 0, host: '127.0.0.1' });
}
