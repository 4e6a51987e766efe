import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHILD_GUARD, GATEWAY, REPO_ROOT, SERVICES, SUPERVISOR } from './services.js';

/** Every process entry point and the bundle it becomes, relative to the repository root. */
export const BUNDLES: readonly { readonly entry: string; readonly bundle: string }[] = [
  ...SERVICES,
  GATEWAY,
  SUPERVISOR,
  CHILD_GUARD,
];

/**
 * Bundles each entry point with esbuild: our workspaces (TypeScript sources) are inlined, every
 * npm package stays an import resolved from node_modules at run time. Takes a fraction of a
 * second, so the supervisor rebuilds on every start from source and nothing can run stale.
 * Each file is written under a unique name and renamed into place: concurrent builds (tests
 * starting systems in parallel) never let a process load a half-written bundle.
 */
export async function buildBundles(root = REPO_ROOT): Promise<void> {
  // Imported here, not at the top: esbuild is a devDependency, and the image, which omits
  // those, runs the bundles it built without ever calling this.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      BUNDLES.map((b) => [b.bundle.replace(/\.mjs$/, ''), path.join(root, b.entry)]),
    ),
    outdir: root,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'npm-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@techflow/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  await Promise.all(
    result.outputFiles.map(async (file) => {
      await mkdir(path.dirname(file.path), { recursive: true });
      const temporary = `${file.path}.${randomUUID()}.tmp`;
      await writeFile(temporary, file.contents);
      await rename(temporary, file.path);
    }),
  );
}
