// The layering rule as a test (tap's own import-deps idea): every import under a workspace's
// src/ must be declared in its package.json, every declared dependency must be used, and
// workspaces may import each other only as the architecture allows.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/** Which @techflow workspaces each workspace may import, and how. */
export const LAYERS = {
  domain: { allowed: [] },
  platform: { allowed: ['domain'] },
  'command-service': { allowed: ['domain', 'platform'] },
  'query-service': { allowed: ['domain', 'platform'] },
  projectors: { allowed: ['domain', 'platform'] },
  'web-components': { allowed: ['domain'], typeOnly: ['domain'] },
  ops: { allowed: ['domain', 'platform'] },
};

const IMPORT_RE =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield full;
  }
}

const packageOf = (spec) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];

/** Every bare import in the files under `dir`: { file, spec, pkg, typeOnly }. */
export function importsUnder(dir) {
  const found = [];
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[3] ?? m[4];
      if (!spec || spec.startsWith('.') || spec.startsWith('node:')) continue;
      if (builtinModules.includes(spec)) continue;
      found.push({ file, spec, pkg: packageOf(spec), typeOnly: Boolean(m[2]) });
    }
  }
  return found;
}

/**
 * Returns the list of problems for the workspace at `workspaceDir` (empty when it follows the
 * rules). `extraUsed` names dependencies used outside src/ (CLI tools run by scripts).
 */
export function checkImportDeps(workspaceDir, { extraUsed = [] } = {}) {
  const name = path.basename(workspaceDir);
  const pkg = JSON.parse(readFileSync(path.join(workspaceDir, 'package.json'), 'utf8'));
  const layer = LAYERS[name];
  const problems = [];
  if (!layer) return [`${name}: no layering rule for this workspace`];
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const devDeclared = new Set(Object.keys(pkg.devDependencies ?? {}));
  const src = importsUnder(path.join(workspaceDir, 'src'));
  const used = new Set(extraUsed);
  for (const imp of src) {
    const rel = path.relative(workspaceDir, imp.file);
    used.add(imp.pkg);
    if (imp.pkg.startsWith('@techflow/')) {
      const target = imp.pkg.slice('@techflow/'.length);
      if (!layer.allowed.includes(target)) {
        problems.push(`${rel}: ${name} may not import ${imp.pkg}`);
      } else if (layer.typeOnly?.includes(target) && !imp.typeOnly) {
        problems.push(`${rel}: ${name} may only import types from ${imp.pkg}`);
      }
    }
    if (!declared.has(imp.pkg) && !(imp.typeOnly && devDeclared.has(imp.pkg))) {
      problems.push(`${rel}: imports ${imp.spec} but ${imp.pkg} is not in dependencies`);
    }
  }
  for (const dep of declared) {
    if (!used.has(dep))
      problems.push(`package.json: dependency ${dep} is declared but never imported`);
  }
  return problems;
}
