// HOST=bad_host went unchecked: `npm start` started every service, then its gateway's listen
// failed with `getaddrinfo ENOTFOUND bad_host`, naming no variable.
import t from 'tap';
import { ConfigError, loadConfig } from '../src/index.js';

t.test('HOST is an IP address or localhost; anything else is refused by name', async (t) => {
  for (const host of ['bad_host', 'example.com', '0.0.0', ' 127.0.0.1', '[::1]']) {
    t.throws(
      () => loadConfig({ HOST: host }),
      new ConfigError(
        `invalid configuration: HOST: expected an IP address (0.0.0.0 or :: for every interface) or localhost, got '${host}'`,
      ),
      host,
    );
  }
  for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost']) {
    t.equal(loadConfig({ HOST: host }).HOST, host, `${host} is accepted`);
  }
  t.equal(loadConfig({ HOST: '' }).HOST, '127.0.0.1', 'empty is unset');
});
