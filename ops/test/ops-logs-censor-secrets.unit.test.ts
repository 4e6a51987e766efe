// The supervisor's and the gateway's pino loggers had no redaction at all: a secret in an
// error they logged (a proxied request's headers) was written in clear. They now censor as the
// services' do (platform's log-redaction.ts).
import { loggedSecrets } from '@techflow/platform/testing';
import t from 'tap';
import { opsLogger } from '../src/loggers.js';

for (const name of ['supervisor', 'gateway'] as const) {
  t.test(`the ${name}'s logger censors secrets at every depth`, async (t) => {
    const lines: string[] = [];
    const log = opsLogger(name, 'info', { write: (l: string) => void lines.push(l) });
    const { fields, secrets, kept } = loggedSecrets();
    log.info(fields, 'everything');
    log.error({ err: fields['err'] }, 'an error alone');
    log.child({ authorization: 'Bearer s3cret-binding' }).warn('a child');
    const text = lines.join('');
    for (const line of lines) t.equal(JSON.parse(line).name, name, 'a JSON line with its name');
    const leaked = [...secrets, 's3cret-binding'].filter((s) => text.includes(s));
    t.same(leaked, [], 'no secret is written');
    for (const k of kept) t.ok(text.includes(k), `${k} is still there`);
  });
}
