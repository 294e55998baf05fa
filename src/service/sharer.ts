/**
 * @internal The sharer of a claim code, read again when the code is
 * claimed: a claim hands out a secret on the sharer's behalf, so the
 * sharer's authority as it is then decides, not as it was at `share`
 * (SPEC §2, "authority only narrows"). No column is needed: the claim's
 * `createdBy` label names the sharer (`system`, `user:<name>`,
 * `token:<id>`, `token:verification:<name>`).
 */
import { type ResolvedActor, SYSTEM_ACTOR, tokenActor, userActor, verificationActor } from '../core/actors.js';
import { lookupUser } from '../core/directory.js';
import { isTokenError, TokenError } from '../core/errors.js';
import { isLive } from '../core/records.js';
import type { ClaimRecord, TokenRecord } from '../core/types.js';
import { verificationPrincipal } from '../core/verification-tokens.js';
import { authorize, currentOwner } from './authority.js';
import { guarded, type ServiceContext } from './context.js';

const VERIFICATION = 'verification:';

/**
 * Refuses a claim whose sharer may no longer share `target` now: a sharing
 * token revoked, expired, disabled, rotated since it shared (its secret is
 * gone) or no longer its owner's; a user gone or inactive; a verification
 * token no longer configured; or `target` no longer within the sharer's
 * authority (it was widened, or the sharer narrowed).
 *
 * @throws {TokenError} `forbidden`; `unavailable`.
 */
export async function sharerMayStill(context: ServiceContext, claim: ClaimRecord, target: TokenRecord): Promise<void> {
  try {
    const sharer = await sharerNow(context, claim);
    if (sharer !== null) {
      await authorize(context, sharer, target, 'share');
      return;
    }
  } catch (error) {
    // `authorize` refuses with `not_found` or `forbidden`; either way the claim is refused.
    if (!isTokenError(error) || error.code === 'unavailable') throw error;
  }
  throw new TokenError('forbidden', 'the sharer of this claim code may no longer share the token');
}

/**
 * The sharer as it is now, or null when it may no longer act at all: the
 * one refusal (`forbidden`) is the caller's, so these answers carry no code.
 *
 * @throws {TokenError} `unavailable`.
 */
async function sharerNow(context: ServiceContext, claim: ClaimRecord): Promise<ResolvedActor | null> {
  const { createdBy: label, tenant } = claim;
  if (label === 'system') return SYSTEM_ACTOR;
  if (label.startsWith('user:')) {
    const user = label.slice('user:'.length);
    const found = await lookupUser(context.directory, tenant, user);
    // Unknown or inactive.
    return found === null ? null : userActor(tenant, user, found);
  }
  // No other label is ever written; one found in storage names no sharer.
  if (!label.startsWith('token:')) return null;
  const id = label.slice('token:'.length);
  if (id.startsWith(VERIFICATION)) {
    const name = id.slice(VERIFICATION.length);
    const entry = context.settings.verificationTokens.find((one) => one.name === name && one.tenant === tenant);
    // No longer configured (or verification tokens are switched off).
    if (entry === undefined || context.settings.personalTokensOnly) return null;
    return verificationActor(verificationPrincipal(entry, context.brand));
  }
  const record = await guarded(context.repository.findById(id));
  const at = context.now();
  if (record === null || record.tenant !== tenant || !isLive(record, at) || !record.enabled) return null;
  // Rotated since it shared: the secret that shared is gone, and so is what it asked for. A
  // share's `createdAt` is later than the sharing secret's `rotatedAt` and every rotation's
  // stamp is later than the one before (share.ts, `nextRotation`), so a rotation in the
  // same millisecond as the share is caught too.
  if (record.rotatedAt !== null && record.rotatedAt >= claim.createdAt) return null;
  const owner = await guarded(Promise.resolve().then(() => currentOwner(context, record)));
  return tokenActor(record, owner, false, at);
}
