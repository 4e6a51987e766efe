/**
 * What the log-redaction tests log through each logger: every secret name, in the spellings
 * code and dependencies use, at several depths (in objects and arrays, in an error's own
 * fields and its cause), each value a unique text a test then looks for in the output.
 */

const SPELLINGS = [
  'password',
  'Password',
  'passwordHash',
  'password_hash',
  'pass',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'x-api-key',
  'X-API-Key',
  'secret',
  'client_secret',
  'clientSecret',
  'privateKeyPem',
  'authorization',
  'Authorization',
  'AUTHORIZATION',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
];

export interface LoggedSecrets {
  /** The fields to log (one log call's object). */
  readonly fields: Record<string, unknown>;
  /** Texts that must appear in no line. */
  readonly secrets: readonly string[];
  /** Texts beside them that must still appear: redaction takes keys, not neighbours. */
  readonly kept: readonly string[];
}

/** `name: value` nested `depth` levels down, alternating objects and arrays. */
function nest(depth: number, name: string, value: unknown): Record<string, unknown> {
  let inner: Record<string, unknown> = { [name]: value, harmless: `kept-${depth}` };
  for (let d = depth; d > 0; d--) inner = d % 2 === 0 ? { level: inner } : { items: [inner] };
  return inner;
}

/** A fresh set of fields with secrets at depths 0 to 4, and an error carrying more. */
export function loggedSecrets(): LoggedSecrets {
  const secrets: string[] = [];
  const kept: string[] = ['idem-key-kept', 'tok-type-kept'];
  const fields: Record<string, unknown> = { key: 'idem-key-kept', tokenType: 'tok-type-kept' };
  SPELLINGS.forEach((name, i) => {
    for (let depth = 0; depth <= 4; depth++) {
      const secret = `s3cret-${i}-${depth}`;
      secrets.push(secret);
      // Some values are not strings: a header's list, an object, a number.
      const value = depth === 3 ? [secret, 'x'] : depth === 4 ? { value: secret, n: 1 } : secret;
      const nested = nest(depth, name, value);
      fields[depth === 0 ? name : `${name}-at-${depth}`] = depth === 0 ? value : nested;
    }
  });
  kept.push('kept-1', 'kept-4');
  const cause = Object.assign(new Error('upstream refused'), {
    config: { headers: { Authorization: 'Bearer s3cret-cause' } },
  });
  const err = Object.assign(new Error('request failed', { cause }), {
    request: { method: 'GET', headers: { authorization: 'Bearer s3cret-err', host: 'kept-host' } },
    body: { user: { email: 'kept@example.test', password: 's3cret-err-body' } },
  });
  secrets.push('s3cret-cause', 's3cret-err', 's3cret-err-body');
  kept.push('kept-host', 'kept@example.test', 'upstream refused');
  fields['err'] = err;
  return { fields, secrets, kept };
}
