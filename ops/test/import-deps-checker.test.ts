import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkImportDeps } from '../scripts/import-deps.mjs';

// The layering test must be able to fail: build small fake workspaces that break each rule.
function fakeWorkspace(name: string, deps: Record<string, string>, files: Record<string, string>) {
  const root = mkdtempSync(path.join(tmpdir(), 'import-deps-'));
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, dependencies: deps }));
  for (const [f, body] of Object.entries(files)) writeFileSync(path.join(dir, 'src', f), body);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

t.test('domain importing platform is refused', async (t) => {
  const ws = fakeWorkspace(
    'domain',
    { '@techflow/platform': '0' },
    {
      'a.ts': "import { x } from '@techflow/platform';\n",
    },
  );
  t.teardown(ws.cleanup);
  t.match(checkImportDeps(ws.dir), [/domain may not import @techflow\/platform/]);
});

t.test('a service importing another service is refused', async (t) => {
  const ws = fakeWorkspace(
    'query-service',
    { '@techflow/command-service': '0' },
    {
      'a.ts': "export { buildApp } from '@techflow/command-service';\n",
    },
  );
  t.teardown(ws.cleanup);
  t.match(checkImportDeps(ws.dir), [/query-service may not import @techflow\/command-service/]);
});

t.test('the UI may import only types from domain', async (t) => {
  const ws = fakeWorkspace(
    'web-components',
    { '@techflow/domain': '0' },
    {
      'a.ts':
        "import { parseMinor } from '@techflow/domain';\nimport type { Currency } from '@techflow/domain';\n",
    },
  );
  t.teardown(ws.cleanup);
  t.same(checkImportDeps(ws.dir).length, 1);
  t.match(checkImportDeps(ws.dir), [/may only import types from @techflow\/domain/]);
});

t.test('undeclared and unused dependencies are reported', async (t) => {
  const ws = fakeWorkspace('platform', { kysely: '0' }, { 'a.ts': "import pg from 'pg';\n" });
  t.teardown(ws.cleanup);
  const problems = checkImportDeps(ws.dir);
  t.match(problems, [/pg is not in dependencies/, /kysely is declared but never imported/]);
});
