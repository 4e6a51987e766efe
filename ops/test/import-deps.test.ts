import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkImportDeps } from '../../ops/scripts/import-deps.mjs';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

t.test('imports under src/ are declared, used, and respect the layering', async (t) => {
  // esbuild is imported by bundle.ts, which the supervisor calls only when run from source
  // (`npm start`, devDependencies installed); the image runs the bundles it built, as plain
  // node, and omits devDependencies (bundles-import-only-production-dependencies proves it).
  t.same(
    checkImportDeps(workspace, { devOnly: ['esbuild'] }),
    [],
    'no layering or dependency problems',
  );
});
