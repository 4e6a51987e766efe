import type { FastifyInstance } from 'fastify';
import { findKeyFault } from '../json-key-faults.js';
import { findUnstorable, MAY_HOLD_UNSTORABLE } from '../storable-text.js';
import { problem } from './errors.js';
import { declaresBody } from './unread-body.js';

const BOM = 0xfeff;

const bodyPath = (pointer: string) => `body${pointer === '/' ? '' : pointer}`;

/**
 * The request body as a value, or the problem with it: not JSON, a key twice in one object or
 * a reserved key (json-key-faults.ts), a string Postgres cannot store (storable-text.ts).
 * JSON.parse plus one scan of the keys costs 1.6 to 1.9 times Fastify's own parser
 * (secure-json-parse) on a command body and on 48 KiB, about half a microsecond more on a
 * deposit; that parser saw no duplicates and called a reserved key bad JSON.
 */
export const parseJsonBody = (text: string): unknown => {
  // secure-json-parse, which this replaces, took a leading BOM; JSON.parse does not.
  const json = text.charCodeAt(0) === BOM ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw problem('malformed_json', 'The request body could not be parsed as JSON');
  }
  const fault = findKeyFault(json);
  if (fault?.kind === 'duplicate') {
    throw problem(
      'duplicate_json_key',
      `${bodyPath(fault.pointer)} appears more than once in its object; send each key once`,
    );
  }
  if (fault?.kind === 'reserved') {
    throw problem(
      'validation_failed',
      `${bodyPath(fault.pointer)} is not allowed: keys named __proto__ or constructor are refused`,
    );
  }
  if (!MAY_HOLD_UNSTORABLE.test(json)) return value;
  const at = findUnstorable(value);
  if (at === undefined) return value;
  throw problem(
    'validation_failed',
    `${bodyPath(at)} holds a NUL (\\u0000) or an unpaired surrogate, which cannot be stored`,
  );
};

/**
 * application/json through parseJsonBody. Clients that always declare JSON send it with no
 * body on routes whose body is optional (freeze's `{ reason? }`): an empty body is no body,
 * and a route that needs one says so in its validation problem.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  // Nothing here decompresses: a compressed body would otherwise reach JSON.parse as bytes and
  // be called malformed, where the truth is an encoding this API does not take (RFC 9110 15.5.16).
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (
      declaresBody(request.headers) &&
      encoding !== undefined &&
      encoding.trim().toLowerCase() !== 'identity'
    ) {
      throw problem(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not accepted; send the body uncompressed`,
      );
    }
    return payload;
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(decodeUtf8(body as Buffer)));
    } catch (error) {
      done(error instanceof Error ? error : problem('malformed_json'), undefined);
    }
  });
}

// Fatal: a byte sequence that is not UTF-8 is refused rather than stored as U+FFFD, which
// would change a reference or a name without anyone having sent that character.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw problem('malformed_json', 'The request body is not valid UTF-8');
  }
}
