/**
 * The address settings: what a process listens on (HOST) and which peers it believes about the
 * client (TRUST_PROXY, GATEWAY_TRUST_PROXY). Checked here because the libraries that take them
 * fail late and without the variable's name: Fastify compiles a trust list only when an app is
 * built (`invalid IP address: x`), and `listen` resolves a host only once every service under
 * `npm start` has started (`getaddrinfo ENOTFOUND`).
 */
import { isIP } from 'node:net';

/** proxy-addr's named ranges, which Fastify's trustProxy expands. */
const NAMED_RANGES: readonly string[] = ['loopback', 'linklocal', 'uniquelocal'];

const DECIMAL_DIGITS = /^[0-9]+$/;

/** Why one element of a trust list would not compile in proxy-addr, or undefined. */
function peerProblem(entry: string): string | undefined {
  if (entry === '') return 'an element is empty';
  if (NAMED_RANGES.includes(entry)) return undefined;
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  // isIP takes a zone (`fe80::1%eth0`), which names an interface of this host, not a peer.
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0) return `'${entry}' is no IP address, CIDR or named range`;
  if (slash === -1) return undefined;
  const prefix = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  // proxy-addr refuses /0 as well: "everyone" is no list of peers.
  if (!DECIMAL_DIGITS.test(prefix) || Number(prefix) < 1 || Number(prefix) > max) {
    return `'${entry}': a prefix length from 1 to ${max} after the slash`;
  }
  return undefined;
}

/**
 * Why `raw` is no trust list for `name`, or undefined. Accepted: IPv4 and IPv6 addresses, CIDRs
 * (a prefix length, not a netmask) and `loopback`, `linklocal`, `uniquelocal`, comma-separated;
 * blank trusts none. Not `true` nor a hop count: the first would let any client name itself,
 * and Fastify 5 ignores the second (it cannot tell who the immediate peer is).
 */
export function trustedPeersProblem(name: string, raw: string): string | undefined {
  if (raw.trim() === '') return undefined;
  for (const entry of raw.split(',').map((s) => s.trim())) {
    const problem = peerProblem(entry);
    if (problem !== undefined) {
      return `${name}: expected IP addresses, CIDRs, loopback, linklocal or uniquelocal, comma-separated; ${problem}`;
    }
  }
  return undefined;
}

/**
 * Why `raw` is no address to listen on for `name`, or undefined: an IP address (0.0.0.0 and ::
 * for every interface) or `localhost`. No other host name: checking one means resolving it, and
 * a start-up check is synchronous; a name that resolves to a local address is rare enough to
 * write as that address.
 */
export function listenHostProblem(name: string, raw: string): string | undefined {
  if (raw === 'localhost' || isIP(raw) !== 0) return undefined;
  return `${name}: expected an IP address (0.0.0.0 or :: for every interface) or localhost, got '${raw}'`;
}
