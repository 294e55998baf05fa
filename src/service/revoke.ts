/** @internal `revoke`, `revokeAll` and `removeUser`. */
import { TokenError } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import { toInfo } from '../core/records.js';
import type { TokenInfo, TokenRecord } from '../core/types.js';
import { callTenant, requireAdmin, resolveActor, untargeted } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { fireTokenHook } from './hooks.js';
import { managed } from './lookup.js';
import { newEvent } from './material.js';
import { ownSession, signOut } from './sign-out.js';
import type { Actor, TokenRef, UserTarget } from './types.js';

/** See `TokenService.revoke`. */
export async function revoke(context: ServiceContext, ref: TokenRef, actor: Actor): Promise<TokenInfo> {
  const session = ownSession(context, ref, actor);
  if (session !== null) return signOut(context, session);
  const { record, who } = await managed(context, ref, actor, 'revoke');
  if (record.type === 'master') {
    throw new TokenError('forbidden', 'master tokens cannot be revoked; remove the user from the tenant instead');
  }
  const { repository } = context;
  const at = context.now();
  const revoked = await guarded(repository.revoke(record.id, at, newEvent(context, record, 'revoked', who.label)));
  // Already revoked: revocation is idempotent, the answer is the token as it stands.
  if (revoked === null) {
    const current = await guarded(repository.findById(record.id));
    if (current === null) throw new TokenError('not_found', 'token not found');
    return toInfo(current, at);
  }
  fireTokenHook(context, 'onRevoked', revoked, who.label);
  return toInfo(revoked, at);
}

/** See `TokenService.revokeAll` (`includeMaster` false) and `TokenService.removeUser` (true). */
export async function revokeUser(
  context: ServiceContext,
  target: UserTarget,
  actor: Actor,
  includeMaster: boolean,
): Promise<number> {
  const fields = expectKeys(target, 'target', ['tenant', 'user']);
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, fields.tenant);
  const user = identifier(fields.user, 'target.user');
  untargeted(who, includeMaster ? 'removeUser' : 'revokeAll', user);
  if (includeMaster) requireAdmin(who, 'remove users');
  else if (user !== who.user) requireAdmin(who, "revoke other users' tokens");
  const reason = includeMaster ? 'user_removed' : 'revoke_all';
  const revoked: TokenRecord[] = [];
  const count = await guarded(
    context.repository.revokeOwner(tenant, user, context.now(), {
      includeMaster,
      event: (record) => {
        revoked.push(record);
        return newEvent(context, record, 'revoked', who.label, { reason });
      },
    }),
  );
  // The records the store revoked, one hook each, once the step has committed.
  for (const record of revoked) fireTokenHook(context, 'onRevoked', record, who.label);
  return count;
}
