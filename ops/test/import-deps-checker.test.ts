import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkImportDeps } from '../scripts/import-deps.mjs';

// The layering test must be able to fail: build small fake workspaces that break each rule.
function fakeWorkspace(
  name: string,
  deps: Record<string, string>,
  files: Record<string, string>,
  devDependencies: Record<string, string> = {},
) {
  const root = mkdtempSync(path.join(tmpdir(), 'import-deps-'));
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, dependencies: deps, devDependencies }),
  );
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

t.test('domain may import no Node built-in and no package but its allowed ones', async (t) => {
  const ws = fakeWorkspace(
    'domain',
    { '@sinclair/typebox': '0', 'decimal.js': '0' },
    {
      'a.ts': [
        "import { readFileSync } from 'node:fs';",
        "import { randomUUID } from 'node:crypto';",
        "import { setTimeout } from 'timers/promises';",
        "import Decimal from 'decimal.js';",
        "import { Type } from '@sinclair/typebox';",
        "import { Value } from '@sinclair/typebox/value';",
        "const later = () => import('node:os');",
        '',
      ].join('\n'),
    },
  );
  t.teardown(ws.cleanup);
  t.same(checkImportDeps(ws.dir), [
    'src/a.ts: domain may not import the Node built-in node:fs',
    'src/a.ts: domain may not import the Node built-in node:crypto',
    'src/a.ts: domain may not import the Node built-in timers/promises',
    'src/a.ts: domain may not import the package decimal.js',
    'src/a.ts: domain may not import the Node built-in node:os',
  ]);
});

t.test('domain reading the clock or drawing randomness is refused', async (t) => {
  const ws = fakeWorkspace(
    'domain',
    {},
    {
      'clock.ts': [
        'export const a = Date.now();',
        'export const b = new Date();',
        'export const c = new Date;',
        'export const d = Math.random();',
        'export const e = crypto.randomUUID();',
        'export const f = performance.now();',
        'export const g = Date();',
        '',
      ].join('\n'),
    },
  );
  t.teardown(ws.cleanup);
  t.same(checkImportDeps(ws.dir), [
    'src/clock.ts:1: domain is pure but calls Date.now',
    'src/clock.ts:2: domain is pure but calls new Date()',
    'src/clock.ts:3: domain is pure but calls new Date()',
    'src/clock.ts:4: domain is pure but calls Math.random',
    'src/clock.ts:5: domain is pure but calls crypto.randomUUID',
    'src/clock.ts:6: domain is pure but calls performance.now',
    'src/clock.ts:7: domain is pure but calls Date()',
  ]);
});

t.test('comments, strings and conversions of a given instant are not the clock', async (t) => {
  const ws = fakeWorkspace(
    'domain',
    {},
    {
      'pure.ts': [
        '// decide() never calls Date.now() or new Date(): ctx.now is handed in.',
        '/* Math.random() and crypto.randomUUID() belong to the caller. */',
        'export const at = (iso: string) => new Date(iso).toISOString();',
        'export const epoch = new Date(0);',
        'export const parsed = (s: string) => Date.parse(s);',
        "export const note = 'performance.now() is for benchmarks';",
        'export const shown = `new Date() in a template is text`;',
        '',
      ].join('\n'),
    },
  );
  t.teardown(ws.cleanup);
  t.same(checkImportDeps(ws.dir), []);
});

t.test('the purity rules bind domain only: platform may use the clock and Node', async (t) => {
  const ws = fakeWorkspace(
    'platform',
    {},
    { 'a.ts': "import { randomUUID } from 'node:crypto';\nexport const t0 = Date.now();\n" },
  );
  t.teardown(ws.cleanup);
  t.same(checkImportDeps(ws.dir), []);
});

t.test('a devDependency imported under src/ is refused unless named devOnly', async (t) => {
  const ws = fakeWorkspace(
    'ops',
    {},
    { 'a.ts': "const { build } = await import('esbuild');\n" },
    { esbuild: '0' },
  );
  t.teardown(ws.cleanup);
  t.match(checkImportDeps(ws.dir), [/esbuild is not in dependencies/]);
  t.same(checkImportDeps(ws.dir, { devOnly: ['esbuild'] }), []);
});
