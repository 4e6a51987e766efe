import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkImportDeps } from '../../ops/scripts/import-deps.mjs';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

t.test('imports under src/ are declared, used, and respect the layering', async (t) => {
  t.same(checkImportDeps(workspace), [], 'no layering or dependency problems');
});
