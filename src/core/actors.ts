import type { Actor } from '../service/types.js';
import { TOKEN_ACTOR_TABLE, type TokenActor } from './access.js';
import { authorityOf, userGrants } from './authority.js';
import { TokenError } from './errors.js';
import { identifier, invalid, isPlainObject } from './input.js';
import type { Principal } from './principal-types.js';
import type { Directory, DirectoryUser, GrantSet, TokenRecord } from './types.js';

export { userGrants };

/**
 * @internal An actor after checking who it is: what it may do is decided
 * from these fields only.
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
}

/** @internal A token acting, with its owner as the directory answered when the call began. */
export interface ActingToken extends TokenActor {
  readonly ownerUser: DirectoryUser | null;
}

const SYSTEM: ResolvedActor = {
  tenant: null,
  user: null,
  admin: true,
  mayIssue: true,
  grants: 'all',
  label: 'system',
  token: null,
};

/** @internal True when the directory answer is a live user. */
export function isActiveUser(user: DirectoryUser | null | undefined): user is DirectoryUser {
  return user !== null && user !== undefined && user.active !== false;
}

/** @internal Asks the directory, turning its failures into `unavailable`. */
export async function lookupUser(
  directory: Directory | undefined,
  tenant: string,
  user: string,
): Promise<DirectoryUser | null> {
  if (directory === undefined) {
    throw new TokenError('invalid_request', 'a directory is required for tokens that have an owner', {
      field: 'directory',
    });
  }
  try {
    const found = await directory.getUser(tenant, user);
    return isActiveUser(found) ? found : null;
  } catch (cause) {
    throw new TokenError('unavailable', 'the user directory is unavailable', { cause });
  }
}

/**
 * @internal Resolves who is acting. Token principals must be ones this
 * service verified (`madeHere`), so a hand-made object cannot pose as a
 * verified token; `loadToken` then reads the token as it is now (a
 * principal may be older than a revocation).
 */
export async function resolveActor(
  actor: Actor,
  directory: Directory | undefined,
  madeHere: (principal: unknown) => boolean,
  loadToken: (principal: Principal) => Promise<ResolvedActor>,
): Promise<ResolvedActor> {
  if (actor === 'system') return SYSTEM;
  if (!isPlainObject(actor)) throw invalid('actor', "must be { tenant, user }, { principal } or 'system'");
  if ('principal' in actor) {
    const principal = actor.principal as Principal;
    if (!madeHere(principal)) {
      throw new TokenError('forbidden', 'the actor principal was not verified by this service');
    }
    return principal.type === 'verification' ? verificationActor(principal) : loadToken(principal);
  }
  const tenant = identifier(actor.tenant, 'actor.tenant');
  const user = identifier(actor.user, 'actor.user');
  const found = await lookupUser(directory, tenant, user);
  if (found === null) throw new TokenError('forbidden', 'the acting user is unknown or inactive');
  return {
    tenant,
    user,
    admin: found.admin === true,
    mayIssue: true,
    grants: userGrants(found),
    label: `user:${user}`,
    token: null,
  };
}

/** A verification token is the operator's root secret: a tenant admin that does not create tokens. */
function verificationActor(principal: Principal): ResolvedActor {
  return {
    tenant: principal.tenant,
    user: null,
    admin: true,
    mayIssue: false,
    grants: 'all',
    label: `token:${principal.tokenId}`,
    token: null,
  };
}

/**
 * @internal A stored token acting (or a session exchanged from it), read
 * as it is now with its owner as the directory answers now: its row of the
 * actor × call table and its authority.
 */
export function tokenActor(record: TokenRecord, ownerUser: DirectoryUser | null, session: boolean): ResolvedActor {
  const authority = authorityOf(record, ownerUser);
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
 * @internal The tenant a call works in: the input's, defaulting to the
 * actor's; the system must name one; nobody else crosses tenants.
 */
export function callTenant(actor: ResolvedActor, requested: unknown, field = 'tenant'): string {
  if (requested === undefined) {
    if (actor.tenant === null) throw invalid(field, 'is required when the system acts');
    return actor.tenant;
  }
  const tenant = identifier(requested, field);
  if (actor.tenant !== null && actor.tenant !== tenant) {
    throw new TokenError('forbidden', 'the actor cannot act in another tenant');
  }
  return tenant;
}

/**
 * @internal Whether the actor may manage this token: admins (and the system)
 * manage every token of their tenant, users only their own; administrative
 * tokens are for admins only.
 */
export function mayManage(actor: ResolvedActor, record: TokenRecord): boolean {
  if (actor.tenant !== null && actor.tenant !== record.tenant) return false;
  if (actor.admin) return true;
  return record.owner !== null && record.owner === actor.user;
}

/** @internal Refuses actors that are not tenant admins. */
export function requireAdmin(actor: ResolvedActor, what: string): void {
  if (!actor.admin) throw new TokenError('forbidden', `only administrators may ${what}`);
}
