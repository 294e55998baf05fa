import { TokenError } from './errors.js';
import { identifier, invalid, isPlainObject } from './input.js';
import type { Principal } from './principal-types.js';
import type { Actor } from './service-types.js';
import type { Directory, DirectoryUser, GrantSet, TokenRecord } from './types.js';

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
}

const SYSTEM: ResolvedActor = { tenant: null, user: null, admin: true, mayIssue: true, grants: 'all', label: 'system' };

/** @internal A user's own grants: everything for admins. */
export function userGrants(user: DirectoryUser): GrantSet {
  if (user.admin === true) return 'all';
  return user.grants ?? [];
}

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
 * verified token.
 */
export async function resolveActor(
  actor: Actor,
  directory: Directory | undefined,
  madeHere: (principal: unknown) => boolean,
): Promise<ResolvedActor> {
  if (actor === 'system') return SYSTEM;
  if (!isPlainObject(actor)) throw invalid('actor', "must be { tenant, user }, { principal } or 'system'");
  if ('principal' in actor) {
    const principal = actor.principal as Principal;
    if (!madeHere(principal)) {
      throw new TokenError('forbidden', 'the actor principal was not verified by this service');
    }
    return principalActor(principal);
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
  };
}

function principalActor(principal: Principal): ResolvedActor {
  const label = `token:${principal.tokenId}`;
  switch (principal.type) {
    case 'master':
      // The one token kind that may create tokens; it acts as its owner.
      return {
        tenant: principal.tenant,
        user: principal.owner,
        admin: principal.ownerIsAdmin,
        mayIssue: true,
        grants: 'all',
        label,
      };
    case 'personal':
      // Acts as its owner for management, with admin rights only when not narrowed.
      return {
        tenant: principal.tenant,
        user: principal.owner,
        admin: principal.ownerIsAdmin && principal.grants === 'all',
        mayIssue: false,
        grants: principal.grants,
        label,
      };
    case 'administrative':
    case 'verification':
      return {
        tenant: principal.tenant,
        user: null,
        admin: principal.grants === 'all',
        mayIssue: false,
        grants: principal.grants,
        label,
      };
    default:
      throw new TokenError('forbidden', 'limited tokens cannot manage tokens');
  }
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
