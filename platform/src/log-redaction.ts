/**
 * Secrets in log lines: the value of every key named like a secret is censored, at any depth
 * and in any letter case, in the line exactly as pino is about to write it (its `streamWrite`
 * hook), so serializers' output (an error's own fields, `err.request.headers`) and every child
 * logger are covered. pino's own `redact` cannot say "any depth": each level is one more
 * wildcard path, and with a path per secret and depth it cost 80-180 µs a line, against about
 * 1 µs for this scan (docs/PERFORMANCE.md). What is not covered: a secret under another key
 * (a URL's password: redactUrl does those) or inside a string (a message's text).
 */
import type { LoggerOptions } from 'pino';

/**
 * The key names censored, whole and case-insensitive; `-` or `_` optional between words.
 * A bare `key` is not among them: it is the Idempotency-Key in our logs (which alone opens
 * nothing: sealed answers also need the request's body) and a Redis or header name in
 * dependencies' errors, all worth reading when debugging; API keys are `apiKey`/`x-api-key`.
 */
const SECRET_NAMES = [
  'pass',
  'password',
  'passphrase',
  'password[-_]?hash',
  '(?:access|refresh|id)?[-_]?token',
  '(?:x[-_])?api[-_]?key',
  '(?:client[-_]?)?secret',
  'private[-_]?key(?:[-_]?pem)?',
  '(?:proxy-)?authorization',
  '(?:set-)?cookie',
];

/** `"name":` in pino's output, which has no spaces: exactly a key, never text in a string. */
const SECRET_KEY = new RegExp(`"(?:${SECRET_NAMES.join('|')})":`, 'gi');

const CENSORED = '"[redacted]"';

/** The index just past the JSON string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return text.length;
}

/** The index just past the JSON value starting at `start`: a string, object, array or literal. */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first !== '{' && first !== '[') {
    let i = start;
    while (i < text.length && text[i] !== ',' && text[i] !== '}' && text[i] !== ']') i++;
    return i;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = endOfString(text, i) - 1;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  return text.length;
}

/** `line` (one JSON log line) with every secret-named key's value censored. */
export function redactSecrets(line: string): string {
  SECRET_KEY.lastIndex = 0;
  let match = SECRET_KEY.exec(line);
  if (match === null) return line;
  let out = '';
  let from = 0;
  while (match !== null) {
    const valueStart = match.index + match[0].length;
    out += line.slice(from, valueStart) + CENSORED;
    from = endOfValue(line, valueStart);
    SECRET_KEY.lastIndex = from;
    match = SECRET_KEY.exec(line);
  }
  return out + line.slice(from);
}

/** Spread into every logger's options: the services', the gateway's and the supervisor's. */
export const REDACTING_LOG_OPTIONS = {
  hooks: { streamWrite: redactSecrets },
} as const satisfies LoggerOptions;
