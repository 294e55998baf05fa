/** @internal `setMaxTtl` and `explainMaxTtl`: the max-duration policies of users and roles (SPEC §4). */
import { lookupUser, userRoles } from '../core/directory.js';
import { parseDuration } from '../core/duration.js';
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import type { MaxTtlExplanation } from '../core/policy.js';
import type { Duration, PolicySubject } from '../core/types.js';
import { callTenant, requireAdmin, resolveActor, untargeted } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { liveUserTarget } from './lookup.js';
import { forgetPolicies, limitFrom } from './policy-cache.js';
import type { Actor, MaxTtlTarget, TenantUser } from './types.js';

/** The effective maximum lifetime of a user's tokens (a token without owner: the system ceiling). */
export async function explain(
  context: ServiceContext,
  tenant: string,
  user: string | null,
  roles: readonly string[],
): Promise<MaxTtlExplanation> {
  if (user === null) return limitFrom(context, []);
  return limitFrom(context, await guarded(context.repository.policiesFor(tenant, user, roles)));
}

/** See `TokenService.setMaxTtl`. */
export async function setMaxTtl(
  context: ServiceContext,
  target: MaxTtlTarget,
  ttl: Duration | null,
  actor: Actor,
): Promise<void> {
  const fields = expectKeys(target, 'target', ['tenant', 'user', 'role']);
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, fields.tenant);
  untargeted(who, 'setMaxTtl');
  requireAdmin(who, 'set token duration policies');
  if ((fields.user === undefined) === (fields.role === undefined)) {
    throw invalid('target', 'must name a user or a role');
  }
  const subject: PolicySubject =
    fields.user !== undefined
      ? { kind: 'user', name: identifier(fields.user, 'target.user') }
      : { kind: 'role', name: identifier(fields.role, 'target.role') };
  const maxTtl = ttl === null ? null : parseDuration(ttl, 'ttl');
  // A typo must not set a policy nobody has; removing one works for users already gone.
  // Roles cannot be checked: the directory answers who a user is, not which roles exist.
  if (
    subject.kind === 'user' &&
    maxTtl !== null &&
    (await lookupUser(context.directory, tenant, subject.name)) === null
  ) {
    throw new TokenError('not_found', 'the user is unknown or inactive');
  }
  await guarded(context.repository.setPolicy(tenant, subject, maxTtl, context.now()));
  forgetPolicies(context, tenant);
}

/** See `TokenService.explainMaxTtl`. */
export async function explainMaxTtl(context: ServiceContext, target: TenantUser): Promise<MaxTtlExplanation> {
  const { tenant, user, found } = await liveUserTarget(context, target);
  return explain(context, tenant, user, userRoles(found));
}
