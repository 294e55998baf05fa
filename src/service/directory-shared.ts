/**
 * @internal What the directory capabilities share: the store (or the
 * refusal when none is configured), checked input, audit entries, the
 * public views of records, and compare-and-set retries.
 */
import type { ResolvedActor } from '../core/actors.js';
import { compareCodePoints, effectiveUserGrants } from '../core/directory-records.js';
import type {
  DirectoryAction,
  DirectoryAuditEntry,
  DirectoryChange,
  DirectoryStore,
  RoleRecord,
  UserRecord,
} from '../core/directory-store.js';
import { invalid, isTokenError, TokenError } from '../core/errors.js';
import { parseGrants } from '../core/grants.js';
import { identifier } from '../core/input.js';
import type { GrantSet } from '../core/types.js';
import { callTenant, requireDirectoryAccess, resolveActor } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import type { DirectoryAuditInfo, DirectoryRoleInfo, DirectoryUserInfo } from './directory-types.js';
import type { Actor } from './types.js';

/** A user holds at most this many roles. */
export const MAX_ROLES = 100;

/** How often a change is tried again when a concurrent one moved the version it read. */
const ATTEMPTS = 5;

/** The configured store. @throws {TokenError} `invalid_request` naming `directoryStore` when there is none. */
export function storeOf(context: ServiceContext): DirectoryStore {
  const store = context.directoryStore;
  if (store === undefined) {
    throw invalid('directoryStore', 'is not configured: the directory is managed by the application');
  }
  return store;
}

/** The store, the actor (allowed to read, or to change) and the tenant of one directory call. */
export async function directoryCall(
  context: ServiceContext,
  actor: Actor,
  requested: unknown,
  change: boolean,
  self?: unknown,
): Promise<{ store: DirectoryStore; who: ResolvedActor; tenant: string }> {
  const store = storeOf(context);
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, requested);
  // A user may read their own entry; everything else is the table's.
  const ownEntry = !change && who.token === null && who.user !== null && self === who.user;
  if (!ownEntry) requireDirectoryAccess(who, change);
  return { store, who, tenant };
}

/** Grants as input: `'all'` or a list of grants, in canonical form. */
export function grantsInput(value: unknown, field: string): GrantSet {
  if (value === undefined) return [];
  return value === 'all' ? 'all' : parseGrants(value, field);
}

/** Role names as input: identifiers, each once, sorted by code point. */
export function rolesInput(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of role names');
  if (value.length > MAX_ROLES) throw invalid(field, `must hold at most ${MAX_ROLES} roles`);
  const names = value.map((role, index) => identifier(role, `${field}[${index}]`));
  return [...new Set(names)].sort(compareCodePoints);
}

export function booleanInput(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

/** The audit entry of one change, made now by `who`. */
export function auditEntry(
  context: ServiceContext,
  who: ResolvedActor,
  tenant: string,
  action: DirectoryAction,
  subject: string,
  changes: Readonly<Record<string, DirectoryChange>>,
): DirectoryAuditEntry {
  return { id: context.nextId(), tenant, at: context.now(), actor: who.label, action, subject, changes };
}

/** A store write, with its refusal of a missing role naming the input field that named it. */
export async function stored<T>(work: Promise<T>, rolesField: string): Promise<T> {
  try {
    return await guarded(work);
  } catch (error) {
    if (isTokenError(error, 'not_found') && error.details.field === 'roles') {
      throw new TokenError('not_found', 'a role of the user does not exist', { field: rolesField });
    }
    throw error;
  }
}

/**
 * A compare-and-set change, tried again while concurrent changes move the
 * version it read. `attempt` answers undefined when its write lost.
 *
 * @throws {TokenError} `conflict` when it lost every time.
 */
export async function retried<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < ATTEMPTS; tries++) {
    const done = await attempt();
    if (done !== undefined) return done;
  }
  throw new TokenError('conflict', 'the entry kept changing concurrently; try again');
}

/** A user's public view, with their effective grants from the roles given. */
export function userInfo(user: UserRecord, roles: readonly RoleRecord[]): DirectoryUserInfo {
  return {
    tenant: user.tenant,
    name: user.name,
    admin: user.admin,
    active: user.active,
    roles: user.roles,
    grants: user.grants,
    effectiveGrants: user.admin ? 'all' : effectiveUserGrants(user, roles),
    createdAt: new Date(user.createdAt),
    updatedAt: new Date(user.updatedAt),
  };
}

/** A user's public view, reading their roles. */
export async function userInfoOf(store: DirectoryStore, user: UserRecord): Promise<DirectoryUserInfo> {
  const roles = user.roles.length === 0 ? [] : await guarded(store.findRoles(user.tenant, user.roles));
  return userInfo(user, roles);
}

export function roleInfo(role: RoleRecord): DirectoryRoleInfo {
  return {
    tenant: role.tenant,
    name: role.name,
    grants: role.grants,
    createdAt: new Date(role.createdAt),
    updatedAt: new Date(role.updatedAt),
  };
}

export function auditInfo(entry: DirectoryAuditEntry): DirectoryAuditInfo {
  return { ...entry, at: new Date(entry.at) };
}
