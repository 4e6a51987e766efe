/**
 * Parameters whose values are secrets in connection strings: libpq's `password` and
 * `sslpassword`, and the tokens and keys some drivers take as parameters too. Matched on the
 * name anywhere in the string, so `key=value` lists are covered as well as query strings.
 */
const SECRET_PARAMETER = /((?:^|[?&;\s])[\w.-]*(?:pass|pwd|secret|token|key)[\w.-]*=)[^&;\s#]*/gi;

/** Schemes where a user part alone is a secret: NATS takes a token where a user name goes. */
const TOKEN_AS_USER = new Set(['nats', 'tls', 'ws', 'wss']);

/** A comma that starts another URL (NATS_URL lists servers that way; EVENTSTORE_URL lists hosts). */
const NEXT_URL = /,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i;

const SCHEME = /^(\s*([a-z][a-z0-9+.-]*):\/\/)?(.*)$/is;

function redactOne(item: string): string {
  const [, prefix = '', scheme, rest = ''] = SCHEME.exec(item) ?? [];
  // The user part ends at the last `@` before any query or fragment: a password may hold an
  // unescaped `@`, and everything before the last one is hidden then.
  const end = rest.search(/[?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  let shown = rest;
  if (at !== -1) {
    const user = authority.slice(0, at);
    const colon = user.indexOf(':');
    const kept =
      colon !== -1
        ? `${user.slice(0, colon)}:***`
        : scheme === undefined || TOKEN_AS_USER.has(scheme.toLowerCase())
          ? '***'
          : user;
    shown = `${kept}${rest.slice(at)}`;
  }
  return `${prefix}${shown.replace(SECRET_PARAMETER, '$1***')}`;
}

/**
 * A connection URL (DATABASE_URL, NATS_URL, REDIS_URL, EVENTSTORE_URL) as a log line or an error
 * message may show it: passwords, NATS tokens and secret parameters become `***`; user, host,
 * port and database stay, since they are what an operator needs to see. Every URL a process
 * logs goes through here.
 */
export function redactUrl(url: string): string {
  return url.split(NEXT_URL).map(redactOne).join(',');
}
