// docker-compose.yml is valid Compose and runs only what exists here, wired as the supervisor
// wires it. No Docker engine: the Compose Specification schema and the checkout are the oracle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  composeSchemaErrors,
  composeWiringProblems,
  loadComposeFile,
} from '../src/compose/check-compose.js';
import { SERVICES } from '../src/services.js';

type Compose = { services: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/** A fresh copy of the real file to break, so each negative case changes one thing. */
const composeCopy = (): Compose => structuredClone(loadComposeFile()) as Compose;

t.test('docker-compose.yml follows the Compose Specification', async (t) => {
  t.same(composeSchemaErrors(loadComposeFile()), []);
});

t.test('docker-compose.yml runs what exists, as ops/src/services.ts says', async (t) => {
  t.same(composeWiringProblems(loadComposeFile()), []);
});

t.test('it runs the infrastructure the services need', async (t) => {
  const { services } = composeCopy();
  for (const name of ['eventstoredb', 'postgres', 'nats', 'redis']) t.ok(services[name], name);
  for (const spec of SERVICES) {
    const env = services[spec.name]?.['environment'] as Record<string, string>;
    t.equal(env['EVENT_STORE'], 'eventstoredb', `${spec.name} uses EventStoreDB`);
    t.equal(env['EVENTSTORE_URL'], 'esdb://eventstoredb:2113?tls=false');
  }
  t.same(services['gateway']?.['ports'], ['8080:8080']);
});

t.test('the checks catch a broken compose file', async (t) => {
  t.test('a misspelt top-level key', async (t) => {
    const doc = { ...composeCopy(), servics: {} };
    t.match(composeSchemaErrors(doc).join('\n'), /additional/);
  });

  t.test('an unknown depends_on condition', async (t) => {
    const doc = composeCopy();
    doc.services['gateway'] = {
      ...doc.services['gateway'],
      depends_on: { 'command-service': { condition: 'service_great' } },
    };
    t.match(composeSchemaErrors(doc).join('\n'), /depends_on/);
  });

  t.test('a healthcheck with a wrong type', async (t) => {
    const doc = composeCopy();
    doc.services['redis'] = { image: 'redis:7', healthcheck: { test: { cmd: 'ping' } } };
    t.match(composeSchemaErrors(doc).join('\n'), /healthcheck\/test/);
  });

  t.test('a service of services.ts left out', async (t) => {
    const doc = composeCopy();
    delete doc.services['projectors'];
    t.match(composeWiringProblems(doc).join('\n'), /service projectors .*missing/);
  });

  t.test('a command naming a file that does not exist', async (t) => {
    const doc = composeCopy();
    doc.services['query-service'] = {
      ...doc.services['query-service'],
      command: ['node', '--import', 'tsx', 'query-service/src/mian.ts'],
    };
    const problems = composeWiringProblems(doc).join('\n');
    t.match(problems, /query-service: command is not/);
    t.match(problems, /mian\.ts, which does not exist/);
  });

  t.test('an npm script that does not exist', async (t) => {
    const doc = composeCopy();
    doc.services['tools'] = { image: 'x', command: ['npm', 'run', 'nope', '-w', '@techflow/ops'] };
    t.match(composeWiringProblems(doc).join('\n'), /npm script nope not in/);
    doc.services['tools'] = { image: 'x', command: ['npm', 'run', 'start', '-w', '@techflow/ops'] };
    t.notMatch(composeWiringProblems(doc).join('\n'), /tools/, 'an existing script passes');
  });

  t.test('ports that disagree between services and gateway', async (t) => {
    const doc = composeCopy();
    const gateway = doc.services['gateway'] as { environment: Record<string, string> };
    gateway.environment = { ...gateway.environment, QUERY_URL: 'http://query-service:9999' };
    t.match(composeWiringProblems(doc).join('\n'), /QUERY_URL/);
  });

  t.test('a Dockerfile that misses a workspace manifest', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tf-compose-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ workspaces: ['domain', 'ops'] }),
    );
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:20\nCOPY domain/package.json domain/\n');
    const doc = { services: { app: { image: 'x', build: { context: '.' } } } };
    t.match(composeWiringProblems(doc, dir).join('\n'), /does not copy ops\/package\.json/);
  });
});
