// README's configuration table is the one list an operator reads: every variable a process
// reads is in it, with the default and bounds the code has.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '@techflow/platform';
import t from 'tap';
import { REPO_ROOT } from '../src/services.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Configuration'),
  readme.indexOf('## The repository'),
);

/** Each table row's variables, each with its default (a row may group several). */
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    const [names = '', defaults = '', meaning = ''] = line
      .split(' | ')
      .map((c) => c.replace(/^\| /, ''));
    const vars = [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '');
    const values = vars.length > 1 ? defaults.split(', ') : [defaults];
    return { vars, values, meaning, line };
  });
const documented = new Map(
  rows.flatMap((row) =>
    row.vars.map((name, i) => [name, { default: row.values[i], row }] as const),
  ),
);

/** `.ts` files under each workspace's src/, the benchmarks aside (their knobs are theirs). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'bench' ? [] : sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}
const { workspaces }: { workspaces: string[] } = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'),
);

t.test('every variable the config schema reads is a row, with its default', async (t) => {
  for (const [name, schema] of Object.entries(ConfigSchema.properties)) {
    const entry = documented.get(name);
    if (!entry) {
      t.fail(`${name} is not in README's table`);
      continue;
    }
    if (schema.default === undefined) t.equal(entry.default, '(none)', `${name}: no default`);
    // An empty cell would read as a missing one: the table says what empty means.
    else if (schema.default === '') t.match(entry.default, /^\(empty/, `${name}: empty default`);
    else t.equal(entry.default, String(schema.default), `${name}'s default`);
    if (schema.type === 'integer') {
      t.ok(entry.row.meaning.includes(`${schema.minimum}–${schema.maximum}`), `${name}'s bounds`);
    }
  }
});

t.test('every variable read anywhere else is documented too', async (t) => {
  const reads = new Set<string>();
  const patterns = [
    /env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
    /(?:readWholeNumber|readUrl)\(\s*\w+,\s*'([A-Z][A-Z0-9_]*)'/g,
    /urlFromEnv\('([A-Z][A-Z0-9_]*)'/g,
  ];
  for (const ws of workspaces) {
    for (const file of sources(path.join(REPO_ROOT, ws, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const m of text.matchAll(pattern)) reads.add(m[1] ?? '');
    }
  }
  for (const name of ['STARTUP_TIMEOUT_MS', 'UI_DIR', 'COMMAND_URL']) {
    t.ok(reads.has(name), `the scan finds ${name}`);
  }
  for (const name of reads) t.ok(section.includes(`\`${name}\``), `${name} is documented`);
});

t.test('the defaults of the variables one process reads are the code’s', async (t) => {
  const { startupTimeoutMs, uiDir } = await import('../src/settings.js');
  t.equal(documented.get('STARTUP_TIMEOUT_MS')?.default, String(startupTimeoutMs({})));
  t.equal(path.relative(REPO_ROOT, uiDir({})), documented.get('UI_DIR')?.default);
  t.ok(documented.get('STARTUP_TIMEOUT_MS')?.row.meaning.includes('1–3600000'), 'its bounds');
});
