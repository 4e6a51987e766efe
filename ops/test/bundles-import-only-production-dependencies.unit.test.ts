// The image installs production dependencies only (ops/docker/Dockerfile: npm prune
// --omit=dev) and runs the bundles. esbuild and tsx, which `npm start` from source needs, are
// devDependencies: no bundle may load them on a path the image takes.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import t from 'tap';
import { BUNDLES, buildBundles } from '../src/bundle.js';
import { REPO_ROOT, SUPERVISOR } from '../src/services.js';

interface Manifest {
  readonly workspaces?: string[];
  readonly dependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));

/** What `npm prune --omit=dev` keeps at the top: every workspace's dependencies. */
const root = manifest(REPO_ROOT);
const production = new Set(
  [root, ...(root.workspaces ?? []).map((w) => manifest(path.join(REPO_ROOT, w)))].flatMap((m) =>
    Object.keys(m.dependencies ?? {}),
  ),
);

const packageOf = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);

const STATIC = /(?:^|[\s;])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?"([^"]+)"/gm;
const DYNAMIC = /import\(\s*"([^"]+)"\s*\)/g;

t.test('every package a bundle imports is a production dependency', async (t) => {
  await buildBundles();
  const outside: string[] = [];
  let seen = 0;
  for (const { bundle } of BUNDLES) {
    const text = readFileSync(path.join(REPO_ROOT, bundle), 'utf8');
    for (const [pattern, kind] of [
      [STATIC, 'import'],
      [DYNAMIC, 'import()'],
    ] as const) {
      for (const m of text.matchAll(pattern)) {
        const spec = m[1] ?? '';
        if (spec.startsWith('node:') || spec.startsWith('.') || builtinModules.includes(spec))
          continue;
        seen++;
        if (!production.has(packageOf(spec))) outside.push(`${bundle}: ${kind} ${spec}`);
      }
    }
  }
  t.ok(seen > BUNDLES.length, `${seen} package imports read`);
  // The one exception: start.ts calls buildBundles only when it runs as TypeScript source.
  t.same(outside, [`${SUPERVISOR.bundle}: import() esbuild`]);
  t.notOk(production.has('tsx') || production.has('esbuild'), 'neither is a production dependency');
});
