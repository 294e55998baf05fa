import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { IntrospectionClient } from '../../../src/http/introspection.js';

/**
 * OAuth clients registered with the test apps' introspection endpoints:
 * confidential clients with a secret (every tenant, or acme only) and one
 * with a key pair for `private_key_jwt`.
 */

export const CLIENT_SECRET = 'resource-server-secret-0123456789-abcdefghijklmnop';
export const ACME_CLIENT_SECRET = 'acme-only-client-secret-0123456789-abcdefghijklmn';
/** Its private key signs `private_key_jwt` assertions; its public key is registered. */
export const CLIENT_KEYS = await generateKeyPair('ES256', { extractable: true });
const publicJwk: JWK = { ...(await exportJWK(CLIENT_KEYS.publicKey)), alg: 'ES256', use: 'sig' };

/** The `aud` the endpoint accepts in client assertions: the issuer the clients are configured with. */
export const AS_ISSUER = 'https://auth.tokenward.test';
/** The `iss` template of the test apps' introspection answers. */
export const ISSUER_TEMPLATE = 'https://auth.tokenward.test/tenants/{tenant}';

export const TEST_CLIENTS: readonly IntrospectionClient[] = [
  { id: 'resource-server', secret: CLIENT_SECRET },
  { id: 'acme-api', secret: ACME_CLIENT_SECRET, tenant: 'acme' },
  { id: 'keyed-client', jwks: [publicJwk] },
];
