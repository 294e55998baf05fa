/**
 * @internal Session sign-out: a session from `exchange` revokes itself
 * (the actor × call table's "session / revoke: itself"). Sessions are
 * stateless strings; a signed-out one is recorded by its id until it would
 * have expired (`revokeSession`), and `verify` refuses it from then on on
 * every instance sharing the storage.
 */

import type { Principal } from '../core/principal-types.js';
import { toInfo } from '../core/records.js';
import type { TokenInfo } from '../core/types.js';
import { resolveActor } from './authority.js';
import { guarded, madeHere, type ServiceContext, tokenInvalid } from './context.js';
import type { Actor, TokenRef } from './types.js';

/** The acting session, when `ref` names the session `actor` is: a sign-out. Null for anything else. */
export function ownSession(context: ServiceContext, ref: TokenRef, actor: Actor): Principal | null {
  if (typeof actor !== 'object' || actor === null || !('principal' in actor && Object.hasOwn(actor, 'principal'))) {
    return null;
  }
  const { principal } = actor;
  const session = principal?.session;
  if (session === undefined || !madeHere(context, principal)) return null;
  const id = typeof ref === 'string' ? ref : typeof ref === 'object' && ref !== null && 'id' in ref ? ref.id : null;
  return id === session.id ? principal : null;
}

/**
 * Signs the session of `principal` out. Idempotent. The answer is the
 * token it was exchanged from, as it stands: a session has no record of
 * its own, and signing out leaves that token as it was.
 *
 * @throws {TokenError} `token_revoked`, `token_expired`, `token_invalid`
 *   (the session or its token no longer verifies), `unavailable`.
 */
export async function signOut(context: ServiceContext, principal: Principal): Promise<TokenInfo> {
  // Read now, as every token actor is: a session of a revoked, rotated or gone token is over already.
  await resolveActor(context, { principal });
  const { repository } = context;
  const session = principal.session!;
  const parent = await guarded(repository.findById(principal.tokenId));
  if (parent === null) throw tokenInvalid();
  // A session is made here only with `sessions` configured, which options refuse on a repository without it.
  const revoke = repository.revokeSession!;
  await guarded(
    revoke.call(repository, { id: session.id, tenant: parent.tenant, expiresAt: session.expiresAt.getTime() }),
  );
  return toInfo(parent, context.now());
}
