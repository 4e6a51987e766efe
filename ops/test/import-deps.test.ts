import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkImportDeps } from '../../ops/scripts/import-deps.mjs';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

t.test('imports under src/ are declared, used, and respect the layering', async (t) => {
  // tsx is used as a loader, not imported: `node --import tsx` starts every process (scripts,
  // the supervisor's children, the image's commands), so it is a production dependency here.
  t.same(
    checkImportDeps(workspace, { extraUsed: ['tsx'] }),
    [],
    'no layering or dependency problems',
  );
});
