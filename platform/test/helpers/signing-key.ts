import { generateKeyPairSync } from 'node:crypto';

/** A fresh Ed25519 signing key as authPlugin takes it (kid `k1`), for one test's app. */
export const testSigningKey = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    kid: 'k1',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};
