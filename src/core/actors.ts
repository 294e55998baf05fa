import { TOKEN_ACTOR_TABLE, type TokenActor } from './access.js';
import { authorityOf, userGrants } from './authority.js';
import { isAdminUser } from './directory.js';
import type { Principal } from './principal-types.js';
import type { DirectoryUser, GrantSet, TokenRecord } from './types.js';

/**
 * @internal An actor after checking who it is: what it may do is decided
 * from these fields only. `src/service/authority.ts` resolves the service's
 * `Actor` input into one of these.
 */
export interface ResolvedActor {
  /** The actor's tenant; null for the system, which acts in any tenant. */
  readonly tenant: string | null;
  /** The user it acts as, if any. */
  readonly user: string | null;
  /** Tenant admin rights (FOR USER, administrative tokens, policies). */
  readonly admin: boolean;
  /** Tokens other than master ones cannot create tokens. */
  readonly mayIssue: boolean;
  /** What the actor itself may do; the ceiling of tokens it creates. */
  readonly grants: GrantSet;
  /** Audit label: `system`, `user:<name>`, `token:<id>`. */
  readonly label: string;
  /**
   * Set when a stored token (or a session of one) acts: what the actor ×
   * call table and its authority allow. Null for roots: users, admins, the
   * system and verification tokens keep the rules above.
   */
  readonly token: ActingToken | null;
  /**
   * Set for a verification token: a root for every other token of its
   * tenant, but a token all the same, so it never reaches a master token
   * (SPEC §2).
   */
  readonly verificationToken?: true;
}

/** @internal A token acting, with its owner as the directory answered when the call began. */
export interface ActingToken extends TokenActor {
  readonly ownerUser: DirectoryUser | null;
}

/** @internal The application itself: every right, in any tenant. */
export const SYSTEM_ACTOR: ResolvedActor = {
  tenant: null,
  user: null,
  admin: true,
  mayIssue: true,
  grants: 'all',
  label: 'system',
  token: null,
};

/** @internal A signed-in user of `tenant`, as the directory answers now. */
export function userActor(tenant: string, user: string, found: DirectoryUser): ResolvedActor {
  return {
    tenant,
    user,
    admin: isAdminUser(found),
    mayIssue: true,
    grants: userGrants(found),
    label: `user:${user}`,
    token: null,
  };
}

/** @internal A verification token is the operator's root secret: a tenant admin that does not create tokens. */
export function verificationActor(principal: Principal): ResolvedActor {
  return {
    tenant: principal.tenant,
    user: null,
    admin: true,
    mayIssue: false,
    grants: 'all',
    label: `token:${principal.tokenId}`,
    token: null,
    verificationToken: true,
  };
}

/**
 * @internal A stored token acting (or a session exchanged from it), read
 * as it is now with its owner as the directory answers now: its row of the
 * actor × call table and its authority.
 */
export function tokenActor(
  record: TokenRecord,
  ownerUser: DirectoryUser | null,
  session: boolean,
  now: number,
): ResolvedActor {
  const authority = authorityOf(record, ownerUser, now);
  const kind = session ? 'session' : record.type;
  return {
    tenant: record.tenant,
    user: record.owner,
    admin: authority.powers.includes('admin'),
    mayIssue: TOKEN_ACTOR_TABLE[kind].issue,
    grants: authority.grants,
    label: `token:${record.id}`,
    token: { kind, id: record.id, storedType: record.type, authority, ownerUser },
  };
}

/**
 * @internal Whether a root actor may manage this token: admins (and the
 * system) manage every token of their tenant, users only their own;
 * administrative tokens are for admins only. A master token is reached
 * only by its user's own interactive actor or an admin, never through a
 * token: a verification token does not reach it at all (SPEC §2).
 */
export function mayManage(actor: ResolvedActor, record: TokenRecord): boolean {
  if (actor.tenant !== null && actor.tenant !== record.tenant) return false;
  if (record.type === 'master' && actor.verificationToken === true) return false;
  if (actor.admin) return true;
  return record.owner !== null && record.owner === actor.user;
}
