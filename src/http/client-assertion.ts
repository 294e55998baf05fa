import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { utf8 } from '../core/encoding.js';
import { TokenError } from '../core/errors.js';
import { ClientAuthFailure, type ClientLookup, type IntrospectionClient } from './client-auth.js';

/**
 * @internal JWT client assertions (RFC 7523 §2.2, §3): `client_secret_jwt`
 * (HMAC with the client's secret) and `private_key_jwt` (signed with a key
 * whose public half the client registered).
 */

/** The only `client_assertion_type` RFC 7523 defines. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const KEY_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
/** Longest accepted assertion lifetime: an assertion is made for one request, not kept. */
const MAX_LIFETIME_SECONDS = 300;
/** Clock difference tolerated between the client and this server. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Most assertion ids remembered at once; more live assertions than this are refused as an overload (503). */
const MAX_REMEMBERED = 100_000;

/**
 * Checks JWT client assertions and remembers the `jti` of each accepted one
 * until it expires, so an assertion is accepted once (RFC 7523 §3 item 7).
 * The memory is per process: behind several instances, an assertion could
 * be replayed at another instance within its (at most five minute) lifetime.
 */
export class AssertionChecker {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly lookup: ClientLookup,
    private readonly audience: readonly string[],
  ) {}

  /** The client the assertion authenticates, or a `ClientAuthFailure`. `clientId`: the `client_id` parameter, if sent. */
  async check(assertion: string, clientId: string | undefined): Promise<IntrospectionClient> {
    let claimed: unknown;
    let algorithm: unknown;
    try {
      claimed = decodeJwt(assertion).sub;
      algorithm = decodeProtectedHeader(assertion).alg;
    } catch {
      throw new ClientAuthFailure();
    }
    if (typeof claimed !== 'string' || (clientId !== undefined && clientId !== claimed)) throw new ClientAuthFailure();
    if (this.audience.length === 0) throw new ClientAuthFailure();
    const client = await this.lookup(claimed);
    if (client === undefined) throw new ClientAuthFailure();
    const payload = await this.verify(assertion, client, algorithm);
    this.remember(`${client.id} ${payload.jti}`, payload.exp);
    return client;
  }

  private async verify(
    assertion: string,
    client: IntrospectionClient,
    algorithm: unknown,
  ): Promise<{ readonly jti: string; readonly exp: number }> {
    const options = {
      issuer: client.id,
      subject: client.id,
      audience: [...this.audience],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    try {
      const bySecret = typeof algorithm === 'string' && algorithm.startsWith('HS');
      let payload: { jti?: unknown; exp?: unknown };
      if (bySecret) {
        if (client.secret === undefined) throw new ClientAuthFailure();
        payload = (await jwtVerify(assertion, utf8(client.secret), { ...options, algorithms: SECRET_ALGORITHMS }))
          .payload;
      } else {
        if (client.jwks === undefined) throw new ClientAuthFailure();
        const keys = createLocalJWKSet({ keys: [...client.jwks] });
        payload = (await jwtVerify(assertion, keys, { ...options, algorithms: KEY_ALGORITHMS })).payload;
      }
      const { jti, exp } = payload;
      const now = Math.floor(Date.now() / 1000);
      if (typeof jti !== 'string' || jti === '' || typeof exp !== 'number') throw new ClientAuthFailure();
      if (exp - now > MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) throw new ClientAuthFailure();
      return { jti, exp };
    } catch {
      throw new ClientAuthFailure();
    }
  }

  /** Records an accepted assertion id; a second use is a failure. */
  private remember(key: string, exp: number): void {
    const now = Date.now();
    const until = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
    const known = this.seen.get(key);
    if (known !== undefined && known > now) throw new ClientAuthFailure();
    if (this.seen.size >= MAX_REMEMBERED) {
      for (const [id, end] of this.seen) if (end <= now) this.seen.delete(id);
      if (this.seen.size >= MAX_REMEMBERED) {
        throw new TokenError('unavailable', 'too many client assertions at once; try again later');
      }
    }
    this.seen.set(key, until);
  }
}
