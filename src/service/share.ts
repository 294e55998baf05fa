/**
 * @internal `share` and `claim`: a single-use claim code handed over
 * instead of the token; claiming it rotates the token and shows the new
 * secret once (Keboola's "send token").
 */
import { formatDuration, parseDuration } from '../core/duration.js';
import { randomBase62 } from '../core/encoding.js';
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys } from '../core/input.js';
import { CLAIM_CODE_LENGTH } from '../core/pasted-secret.js';
import { stampOf } from '../core/principal.js';
import { isLive, toInfo } from '../core/records.js';
import type { ClaimRecord, Duration, TokenEvent } from '../core/types.js';
import { guarded, type ServiceContext } from './context.js';
import { managed } from './lookup.js';
import { newEvent } from './material.js';
import { replaceSecret } from './rotate.js';
import { sharerMayStill } from './sharer.js';
import type { Actor, IssuedToken, ShareOptions, ShareResult, TokenRef } from './types.js';

/** @internal Characters of random base62 in a claim code (`<prefix>_claim_<code>`). */
export { CLAIM_CODE_LENGTH };

/** How often a claim is tried again when a concurrent change (a touch, a comment) wins the compare-and-set. */
const ATTEMPTS = 5;

/** See `TokenService.share`. */
export async function share(
  context: ServiceContext,
  ref: TokenRef,
  actor: Actor,
  options?: ShareOptions,
): Promise<ShareResult> {
  const fields = expectKeys(options, 'options', ['ttl']);
  const ttl = claimLifetime(context, fields.ttl);
  const { record, who } = await managed(context, ref, actor, 'share');
  if (record.type === 'master') throw new TokenError('forbidden', 'master tokens cannot be shared');
  const at = context.now();
  if (!isLive(record, at)) throw new TokenError('conflict', 'only live tokens can be shared');
  const { peppers } = context;
  const code = `${context.settings.prefix}_claim_${randomBase62(CLAIM_CODE_LENGTH, context.random)}`;
  const expiresAt = Math.min(at + ttl, record.expiresAt ?? Number.POSITIVE_INFINITY);
  const claim: ClaimRecord = {
    codeHash: peppers.hash(code, peppers.current)!,
    tokenId: record.id,
    tenant: record.tenant,
    createdAt: sharedAt(actor, at),
    expiresAt,
    createdBy: who.label,
  };
  // The event bears the claim's own stamp, which may run a millisecond ahead of the clock (see `sharedAt`).
  const event: TokenEvent = {
    ...newEvent(context, record, 'shared', who.label, { expiresAt: new Date(expiresAt).toISOString() }),
    at: claim.createdAt,
  };
  await guarded(context.repository.insertClaim(claim, event));
  return { code, tokenId: record.id, expiresAt: new Date(expiresAt) };
}

/**
 * The claim's `createdAt`: `now`, but when a stored token (or a session of
 * one) shares, later than the `rotatedAt` of the secret that shares, which
 * `loadToken` checked is still the token's current one. `sharerMayStill`
 * refuses the code once the sharer's `rotatedAt` reaches this stamp, so a
 * share made after the last rotation is never refused and a rotation in
 * the same millisecond as the share always is.
 */
function sharedAt(actor: Actor, now: number): number {
  const stamp =
    typeof actor === 'object' && 'principal' in actor && Object.hasOwn(actor, 'principal')
      ? stampOf(actor.principal)
      : undefined;
  return Math.max(now, (stamp?.rotatedAt ?? Number.NEGATIVE_INFINITY) + 1);
}

/** See `TokenService.claim`. */
export async function claim(context: ServiceContext, code: string): Promise<IssuedToken> {
  const pattern = new RegExp(`^${context.settings.prefix}_claim_[0-9A-Za-z]{${CLAIM_CODE_LENGTH}}$`);
  if (typeof code !== 'string' || !pattern.test(code)) throw invalid('code', 'is not a claim code');
  const found = await consume(context, code);
  if (found === null) throw new TokenError('not_found', 'the claim code is unknown, used or expired');
  // The claim is ours alone now, so a lost compare-and-set (a concurrent touch or comment) is simply retried.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await guarded(context.repository.findById(found.tokenId));
    if (record === null) throw new TokenError('not_found', 'the shared token no longer exists');
    if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the shared token has been revoked');
    if (!isLive(record, context.now())) throw new TokenError('token_expired', 'the shared token has expired');
    await sharerMayStill(context, found, record);
    const rotated = await replaceSecret(context, record, `claim:${found.createdBy}`, null, 'claimed');
    if (rotated !== null) return { token: rotated.token, info: toInfo(rotated.record, context.now()) };
  }
  throw new TokenError('conflict', 'the token was changed concurrently; try again');
}

/**
 * A claim code's lifetime: the policy's `claimTtl`, or a shorter `ttl`.
 * A longer one is refused like any lifetime above its limit.
 *
 * @throws {TokenError} `invalid_request` naming `ttl`; `duration_exceeds_policy` (`details.field` `ttl`).
 */
function claimLifetime(context: ServiceContext, requested: unknown): number {
  const { claimTtl } = context.settings;
  if (requested === undefined) return claimTtl;
  const ttl = parseDuration(requested as Duration, 'ttl');
  if (ttl > claimTtl) {
    throw new TokenError('duration_exceeds_policy', `claim ttl exceeds the maximum of ${formatDuration(claimTtl)}`, {
      field: 'ttl',
      limit: claimTtl,
    });
  }
  return ttl;
}

/** Consumes the claim of `code`, hashed under whichever pepper was current when it was made. */
async function consume(context: ServiceContext, code: string): Promise<ClaimRecord | null> {
  const { peppers } = context;
  const at = context.now();
  for (const version of [peppers.current, ...peppers.versions.filter((v) => v !== peppers.current)]) {
    const found = await guarded(context.repository.consumeClaim(peppers.hash(code, version)!, at));
    if (found !== null) return found;
  }
  return null;
}
