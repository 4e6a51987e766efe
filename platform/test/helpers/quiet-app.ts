import type { Test } from 'tap';
import { type App, createBaseApp } from '../../src/http/index.js';

/** A base app with nothing of its own: silent, 1 KiB bodies, no process metrics; closed at teardown. */
export async function quietApp(t: Test): Promise<App> {
  const app = await createBaseApp({
    name: 'test',
    logLevel: 'silent',
    bodyLimit: 1024,
    collectDefaultMetrics: false,
  });
  t.teardown(() => app.close());
  return app;
}
