import { TokenError } from './errors.js';
import type { Directory, DirectoryUser } from './types.js';

/** Users by tenant, then by user name. */
export type StaticDirectoryData = Readonly<Record<string, Readonly<Record<string, DirectoryUser>>>>;

/**
 * A directory from a fixed table, for tests, demos and small services whose
 * users live in configuration. Real services implement `Directory` on their
 * own user store; answers may be asynchronous.
 *
 * @example
 * ```ts
 * import { staticDirectory } from 'tokenward';
 * const directory = staticDirectory({
 *   acme: { alice: { admin: true }, analyst: { roles: ['service_accounts'], grants: [{ scope: 'reports' }] } },
 * });
 * ```
 */
export function staticDirectory(data: StaticDirectoryData): Directory {
  return {
    getUser(tenant: string, user: string): DirectoryUser | null {
      // Own-property lookups only: a user called "constructor" or "__proto__" is not an Object method.
      const users = Object.hasOwn(data, tenant) ? data[tenant] : undefined;
      if (users === undefined || !Object.hasOwn(users, user)) return null;
      return users[user] ?? null;
    },
  };
}

/*
 * A directory answer is read by its own properties only: a key planted on
 * `Object.prototype` (prototype pollution elsewhere in the application)
 * must not make every user an admin, give them grants or roles, or disable
 * them (review s22). Every read of a directory user's fields goes through
 * the functions below. They allocate nothing (the verification path reads
 * them, issue 12) and pay the own-property check only when a value is
 * there.
 */

/** @internal A directory user's own value of `key`; an inherited one counts as absent. */
export function ownUserField<K extends keyof DirectoryUser>(user: DirectoryUser, key: K): DirectoryUser[K] | undefined {
  const value = user[key];
  return value === undefined || Object.hasOwn(user, key) ? value : undefined;
}

/** @internal True when the directory answers the user as a tenant admin (own `admin: true`). */
export function isAdminUser(user: DirectoryUser): boolean {
  return user.admin === true && Object.hasOwn(user, 'admin');
}

/** @internal The user's own roles; none when absent or for no user. */
export function userRoles(user: DirectoryUser | null): readonly string[] {
  return user === null ? [] : (ownUserField(user, 'roles') ?? []);
}

/** True when `key` has a value only through the prototype chain. */
function inherits(user: DirectoryUser, key: keyof DirectoryUser): boolean {
  return user[key] !== undefined && !Object.hasOwn(user, key);
}

/**
 * @internal A live user's answer as the service keeps it: the answer itself
 * when none of its fields is inherited (the usual case, nothing
 * allocated), else a copy holding every field as its own, so code that
 * reads a field directly (`Principal.ownerIsAdmin`) sees no inherited one,
 * even if a key is planted later.
 */
export function ownAnswer(user: DirectoryUser): DirectoryUser {
  if (!(inherits(user, 'admin') || inherits(user, 'grants') || inherits(user, 'roles') || inherits(user, 'active'))) {
    return user;
  }
  return { admin: isAdminUser(user), active: true, roles: userRoles(user), grants: ownUserField(user, 'grants') ?? [] };
}

/** @internal True when the directory answer is a live user (no own `active: false`). */
export function isActiveUser(user: DirectoryUser | null | undefined): user is DirectoryUser {
  return user !== null && user !== undefined && !(user.active === false && Object.hasOwn(user, 'active'));
}

/**
 * @internal Asks the directory about a user: the user when known and
 * active, else null.
 *
 * @throws {TokenError} `invalid_request` (field `directory`) when no
 *   directory is configured; `unavailable` when the directory fails.
 */
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
    return isActiveUser(found) ? ownAnswer(found) : null;
  } catch (cause) {
    throw new TokenError('unavailable', 'the user directory is unavailable', { cause });
  }
}
