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
    await authorize(context, sharer, target, 'share');
  } catch (error) {
    if (!isTokenError(error) || error.code === 'unavailable') throw error;
    throw new TokenError('forbidden', 'the sharer of this claim code may no longer share the token');
  }
}

/** The sharer as it is now. @throws {TokenError} any refusal (the caller turns it into `forbidden`). */
async function sharerNow(context: ServiceContext, claim: ClaimRecord): Promise<ResolvedActor> {
  const { createdBy: label, tenant } = claim;
  if (label === 'system') return SYSTEM_ACTOR;
  if (label.startsWith('user:')) {
    const user = label.slice('user:'.length);
    const found = await lookupUser(context.directory, tenant, user);
    if (found === null) throw new TokenError('forbidden', 'the sharing user is unknown or inactive');
    return userActor(tenant, user, found);
  }
  if (!label.startsWith('token:')) throw new TokenError('forbidden', 'unknown sharer');
  const id = label.slice('token:'.length);
  if (id.startsWith(VERIFICATION)) {
    const name = id.slice(VERIFICATION.length);
    const entry = context.settings.verificationTokens.find((one) => one.name === name && one.tenant === tenant);
    if (entry === undefined || context.settings.personalTokensOnly) {
      throw new TokenError('forbidden', 'the sharing verification token is no longer configured');
    }
    return verificationActor(verificationPrincipal(entry, context.brand));
  }
  const record = await guarded(context.repository.findById(id));
  const at = context.now();
  if (record === null || record.tenant !== tenant || !isLive(record, at) || !record.enabled) {
    throw new TokenError('forbidden', 'the sharing token is no longer live');
  }
  // Rotated after it shared: the secret that shared is gone, and so is what it asked for.
  if (record.rotatedAt !== null && record.rotatedAt > claim.createdAt) {
    throw new TokenError('forbidden', 'the sharing token has been rotated since');
  }
  const owner = await guarded(Promise.resolve().then(() => currentOwner(context, record)));
  return tokenActor(record, owner, false, at);
}
