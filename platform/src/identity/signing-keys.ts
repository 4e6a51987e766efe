import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { createIdentityDb } from './tables.js';

export interface SigningKey {
  readonly kid: string;
  readonly algorithm: 'EdDSA';
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

export interface SigningKeys {
  /** Signs new tokens. */
  readonly current: SigningKey;
  /** Every key whose tokens may still be live (the current one included): the JWKS. */
  readonly published: readonly Pick<SigningKey, 'kid' | 'algorithm' | 'publicKeyPem'>[];
}

/** RFC 7638 thumbprint of an OKP key: a kid derived from the key itself. */
const thumbprint = (x: string): string =>
  createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');

const newKey = (): SigningKey => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kid: thumbprint(String(jwk.x)),
    algorithm: 'EdDSA',
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
};

// Any constant: serializes key creation between services starting at the same moment.
const KEY_LOCK = 0x7465_6b79; // "teky"

/**
 * The token signing keys, generated (Ed25519) and stored on first start. Two processes
 * starting together agree on one key: creation happens under an advisory transaction lock.
 */
export async function loadSigningKeys(pool: pg.Pool): Promise<SigningKeys> {
  const db = createIdentityDb(pool);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${KEY_LOCK})`.execute(trx);
    let rows = await trx
      .selectFrom('signing_keys')
      .selectAll()
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    if (rows.length === 0) {
      const key = newKey();
      await trx
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          algorithm: key.algorithm,
          public_key_pem: key.publicKeyPem,
          private_key_pem: key.privateKeyPem,
        })
        .execute();
      rows = await trx.selectFrom('signing_keys').selectAll().where('kid', '=', key.kid).execute();
    }
    const keys = rows.map(
      (r): SigningKey => ({
        kid: r.kid,
        algorithm: 'EdDSA',
        publicKeyPem: r.public_key_pem,
        privateKeyPem: r.private_key_pem,
      }),
    );
    return {
      current: keys[0]!,
      published: keys.map(({ kid, algorithm, publicKeyPem }) => ({ kid, algorithm, publicKeyPem })),
    };
  });
}

export interface Jwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** The public keys as a JSON Web Key Set (RFC 7517), for GET /.well-known/jwks.json. */
export function jwks(keys: SigningKeys): { keys: Jwk[] } {
  return {
    keys: keys.published.map((k) => {
      const jwk = createPublicKey(k.publicKeyPem).export({ format: 'jwk' });
      return {
        kty: String(jwk.kty),
        crv: String(jwk.crv),
        x: String(jwk.x),
        kid: k.kid,
        alg: k.algorithm,
        use: 'sig',
      };
    }),
  };
}
