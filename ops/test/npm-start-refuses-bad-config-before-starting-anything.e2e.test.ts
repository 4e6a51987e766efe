// HOST=bad_host, TRUST_PROXY=bogusword and PROJECTORS_ROLE=bogus each got past the config
// check: `npm start` started services, and the failure came later, from a library, naming no
// variable (getaddrinfo ENOTFOUND, invalid IP address) or from the projectors alone.

import { deadPort } from '@techflow/platform/testing';
import t from 'tap';
import { runStartToExit } from './helpers/system.js';

t.test('bad values stop npm start before it starts anything, each named', async (t) => {
  const { code, output, lines } = await runStartToExit(
    {
      // Were the values let through, the start would wait here instead.
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await deadPort()}/techflow`,
      LOG_LEVEL: 'info',
      HOST: 'bad_host',
      TRUST_PROXY: 'bogusword',
      GATEWAY_TRUST_PROXY: '10.0.0.0/8,bogusword',
      PROJECTORS_ROLE: 'bogus',
    },
    60_000,
  );

  t.equal(code, 1, 'npm start exits 1');
  const fatal = lines.find((l) => l.level === 60)?.msg ?? '';
  for (const name of ['HOST', 'TRUST_PROXY', 'GATEWAY_TRUST_PROXY', 'PROJECTORS_ROLE']) {
    t.match(fatal, new RegExp(`(^|; |: )${name}: expected`), `the fatal line names ${name}`);
  }
  t.same(
    lines.filter((l) => l.msg === 'service started' || l.msg === 'waiting for Postgres'),
    [],
    'nothing was started or waited for',
  );
  if (!fatal) t.comment(output);
});
