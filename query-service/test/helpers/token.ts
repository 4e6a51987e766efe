import { createPrivateKey, sign } from 'node:crypto';
import type { Role } from '@techflow/domain';
import { loadSigningKeys } from '@techflow/platform/identity';
import type pg from 'pg';

/**
 * The single place tests mint access tokens: EdDSA JWTs signed with the identity schema's
 * current signing key (the command service's signer), carrying the claims the platform's
 * auth verifies: `sub` user, `tid` tenant, `role`.
 */
export interface TokenSubject {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export type Bearer = (subject: TokenSubject) => { authorization: string };

export async function createTokenMinter(pool: pg.Pool): Promise<Bearer> {
  const { current } = await loadSigningKeys(pool);
  const key = createPrivateKey(current.privateKeyPem);
  return (subject) => {
    const now = Math.floor(Date.now() / 1000);
    const head = part({ alg: 'EdDSA', typ: 'JWT', kid: current.kid });
    const body = part({
      sub: subject.userId,
      tid: subject.tenantId,
      role: subject.role,
      iat: now,
      exp: now + 900,
    });
    const signature = sign(null, Buffer.from(`${head}.${body}`), key).toString('base64url');
    return { authorization: `Bearer ${head}.${body}.${signature}` };
  };
}
