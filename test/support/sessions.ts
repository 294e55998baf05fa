import { createKeySet, generateSigningKey, type KeySet } from '../../src/jwt/index.js';
import { jwtSessionCodec } from '../../src/jwt/session.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { type Harness, makeHarness } from './service.js';

/** Signing keys for sessions: HS256, made once per call. */
export async function sessionKeys(): Promise<KeySet> {
  return createKeySet({ signing: await generateSigningKey('HS256', { kid: 'sessions' }) });
}

/**
 * `makeHarness` with sessions (`exchange`) signed by `keys` (fresh ones by
 * default) on the harness's clock; two harnesses given the same keys and
 * repository are two instances of one service.
 */
export async function sessionHarness(overrides: Partial<TokenServiceOptions> = {}, keys?: KeySet): Promise<Harness> {
  const signing = keys ?? (await sessionKeys());
  let now: () => number = () => 0;
  const harness = makeHarness({
    sessions: { codec: jwtSessionCodec({ keys: signing, issuer: 'tw', audience: 'tw', now: () => now() }) },
    ...overrides,
  });
  now = harness.clock.now;
  return harness;
}
