import type { IncomingHttpHeaders } from 'node:http';

/** What the gateway resolved about the client: Fastify's view, trustProxy applied. */
export interface ResolvedClient {
  /** The gateway's id for the request (requestIdOf): the service logs under the same. */
  readonly id: string;
  readonly ip: string;
  readonly protocol: string;
  readonly host: string;
}

/**
 * Headers in which a client claims an address of its own, by the names common libraries and
 * proxies read (RFC 7239's Forwarded, nginx's X-Real-IP, the CDNs'). The services believe only
 * X-Forwarded-For, and only from the gateway's hop, but a claim passed on is one a dependency
 * or the next service may believe: the gateway sends none but its own.
 */
const CLIENT_CLAIMS = new Set([
  'forwarded',
  'forwarded-for',
  'x-forwarded',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
]);

/** RFC 7239 node and value syntax: IPv6 bracketed, anything but a token quoted. */
const forwardedValue = (value: string): string =>
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)
    ? value
    : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const forwardedNode = (ip: string): string => forwardedValue(ip.includes(':') ? `[${ip}]` : ip);

/**
 * The headers a request goes to a service with: the client's own, less its claims about who
 * and where it is (every X-Forwarded-* and CLIENT_CLAIMS) and Expect (Node's server has already
 * answered 100 Continue; undici refuses the header), plus what the gateway resolved, said the
 * same way in X-Forwarded-For/-Proto/-Host, Forwarded and X-Real-IP. Replaced, never appended
 * to: the services trust the gateway's hop, so a client's X-Forwarded-For: 203.0.113.7 would
 * pass as its address and escape every per-address limit.
 */
export function forwardedHeaders(
  client: ResolvedClient,
  headers: IncomingHttpHeaders,
): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'expect' || name.startsWith('x-forwarded-') || CLIENT_CLAIMS.has(name)) continue;
    kept[name] = value;
  }
  return {
    ...kept,
    'x-request-id': client.id,
    'x-forwarded-for': client.ip,
    'x-forwarded-proto': client.protocol,
    'x-forwarded-host': client.host,
    'x-real-ip': client.ip,
    forwarded: [
      `for=${forwardedNode(client.ip)}`,
      `proto=${forwardedValue(client.protocol)}`,
      `host=${forwardedValue(client.host)}`,
    ].join(';'),
  };
}
