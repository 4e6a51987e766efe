// TRUST_PROXY=bogusword passed a character pattern, then the first app built crashed with
// `invalid IP address: bogusword`, naming no variable (the gateway's only after every service
// had started). Each element must now parse as Fastify's proxy-addr would, or start-up stops.
import Fastify from 'fastify';
import t from 'tap';
import { ConfigError, loadConfig, trustProxyOf } from '../src/index.js';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return '';
  } catch (err) {
    return err instanceof ConfigError ? err.message : `not a ConfigError: ${String(err)}`;
  }
}

const VARIABLES = ['TRUST_PROXY', 'GATEWAY_TRUST_PROXY'] as const;

t.test('an element that is no address, CIDR or named range is refused by name', async (t) => {
  const cases: [string, RegExp][] = [
    ['bogusword', /'bogusword' is no IP address/],
    ['true', /'true' is no IP address/],
    ['2', /'2' is no IP address/],
    ['127.0.0.1,,10.0.0.1', /an element is empty/],
    ['10.0.0.0/33', /'10.0.0.0\/33': a prefix length from 1 to 32/],
    ['10.0.0.0/0', /from 1 to 32/],
    ['10.0.0.0/', /from 1 to 32/],
    ['10.0.0.0/255.0.0.0', /from 1 to 32/],
    ['fc00::/129', /from 1 to 128/],
    ['fe80::1%eth0', /no IP address/],
    ['300.1.2.3', /no IP address/],
    ['loopback, 10.0.0.1, localhost', /'localhost' is no IP address/],
  ];
  for (const name of VARIABLES) {
    for (const [value, why] of cases) {
      const message = refusal({ [name]: value });
      t.match(message, new RegExp(`^invalid configuration: ${name}: expected IP addresses`), value);
      t.match(message, why, `${name}=${value} says why`);
    }
  }
});

t.test('what is accepted is what Fastify compiles', async (t) => {
  const accepted = [
    'loopback',
    'linklocal, uniquelocal',
    '127.0.0.1',
    '10.0.0.0/8,192.168.1.0/24',
    ' 172.16.0.1 , ::1 ',
    'fc00::/7',
    '::ffff:10.0.0.1',
    '2001:db8::/128',
  ];
  for (const name of VARIABLES) {
    for (const value of accepted) {
      const config = loadConfig({ [name]: value });
      // Fastify compiles the list when the instance is built: a bad one throws here.
      const app = Fastify({ trustProxy: trustProxyOf(config[name]) });
      await app.close();
      t.pass(`${name}=${value}`);
    }
  }
  t.equal(trustProxyOf(loadConfig({ TRUST_PROXY: '  ' }).TRUST_PROXY), false, 'blank: none');
});
