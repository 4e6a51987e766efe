// The layering rule as a test (tap's own import-deps idea): every import under a workspace's
// src/ must be declared in its package.json, every declared dependency must be used, and
// workspaces may import each other only as the architecture allows.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';

/**
 * Which @techflow workspaces each workspace may import, and how. `packages`, when present, is
 * every other module it may import: no Node built-in unless listed. `pure`: its source may not
 * read the clock or draw randomness (see impureCalls).
 */
export const LAYERS = {
  // No I/O, no clock, no randomness: TypeBox only describes and checks data.
  domain: { allowed: [], packages: ['@sinclair/typebox'], pure: true },
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

const isBuiltin = (spec) => spec.startsWith('node:') || builtinModules.includes(spec);

/** Every bare import in the files under `dir`: { file, spec, pkg, typeOnly, builtin }. */
export function importsUnder(dir) {
  const found = [];
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[3] ?? m[4];
      if (!spec || spec.startsWith('.')) continue;
      const builtin = isBuiltin(spec);
      const pkg = builtin ? spec : packageOf(spec);
      found.push({ file, spec, pkg, typeOnly: Boolean(m[2]), builtin });
    }
  }
  return found;
}

/** What reads the clock or draws randomness, as `why` for a matching AST node. */
function impurityOf(ts, node) {
  const named = (n, text) => ts.isIdentifier(n) && n.text === text;
  if (ts.isPropertyAccessExpression(node)) {
    const object = node.expression;
    const member = node.name.text;
    if (named(object, 'Date') && member === 'now') return 'Date.now';
    if (named(object, 'Math') && member === 'random') return 'Math.random';
    if (named(object, 'performance') && member === 'now') return 'performance.now';
    if (named(object, 'crypto')) return `crypto.${member}`;
  }
  // new Date(x) converts x; only the argument-less form reads the clock (so does Date()).
  if (ts.isNewExpression(node) && named(node.expression, 'Date')) {
    if ((node.arguments?.length ?? 0) === 0) return 'new Date()';
  }
  if (ts.isCallExpression(node) && named(node.expression, 'Date')) return 'Date()';
  return undefined;
}

/**
 * Every read of the clock or draw of randomness in the files under `dir`: { file, line, what }.
 * Parsed, not matched as text, so comments and strings are not code and `new Date(x)`, a pure
 * conversion, is told from `new Date()`. The domain is handed `now` and new ids in `ctx`.
 */
export function impureCalls(dir) {
  // Loaded only for a pure workspace: the other checks need no parser.
  const ts = createRequire(import.meta.url)('typescript');
  const found = [];
  for (const file of walk(dir)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node) => {
      const what = impurityOf(ts, node);
      if (what) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ file, line: line + 1, what });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/**
 * Returns the list of problems for the workspace at `workspaceDir` (empty when it follows the
 * rules). `extraUsed` names dependencies used outside src/ (CLI tools run by scripts).
 * `devOnly` names devDependencies src/ may import on a path an installed image never takes
 * (the bundler, called only when running from source): production installs omit them.
 */
export function checkImportDeps(workspaceDir, { extraUsed = [], devOnly = [] } = {}) {
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
    const outside = !imp.pkg.startsWith('@techflow/');
    if (outside && layer.packages && !layer.packages.includes(imp.pkg)) {
      const kind = imp.builtin ? 'the Node built-in' : 'the package';
      problems.push(`${rel}: ${name} may not import ${kind} ${imp.spec}`);
    }
    if (imp.builtin) continue;
    used.add(imp.pkg);
    if (imp.pkg.startsWith('@techflow/')) {
      const target = imp.pkg.slice('@techflow/'.length);
      if (!layer.allowed.includes(target)) {
        problems.push(`${rel}: ${name} may not import ${imp.pkg}`);
      } else if (layer.typeOnly?.includes(target) && !imp.typeOnly) {
        problems.push(`${rel}: ${name} may only import types from ${imp.pkg}`);
      }
    }
    const devAllowed = imp.typeOnly || devOnly.includes(imp.pkg);
    if (!declared.has(imp.pkg) && !(devAllowed && devDeclared.has(imp.pkg))) {
      problems.push(`${rel}: imports ${imp.spec} but ${imp.pkg} is not in dependencies`);
    }
  }
  for (const dep of declared) {
    if (!used.has(dep))
      problems.push(`package.json: dependency ${dep} is declared but never imported`);
  }
  if (layer.pure) {
    for (const call of impureCalls(path.join(workspaceDir, 'src'))) {
      const rel = path.relative(workspaceDir, call.file);
      problems.push(`${rel}:${call.line}: ${name} is pure but calls ${call.what}`);
    }
  }
  return problems;
}
