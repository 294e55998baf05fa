/**
 * The store-backed directory's rules without I/O: what a stored user
 * answers as a `Directory` (their effective grants: their own and their
 * roles'), the changes an audit entry records, and the code-point order
 * names are listed in.
 */
import type { DirectoryChange, DirectoryStore, RoleRecord, UserRecord } from './directory-store.js';
import { normalizeGrants } from './grants.js';
import type { Directory, DirectoryUser, GrantSet } from './types.js';

/** Everything either set allows: `'all'` if either is, else both lists merged into canonical form. */
export function unionGrantSets(a: GrantSet, b: GrantSet): GrantSet {
  if (a === 'all' || b === 'all') return 'all';
  return normalizeGrants([...a, ...b]);
}

/**
 * A user's grants as the directory answers them: their own grants and
 * those of each of their roles that is stored (SPEC §2 "inherits the
 * owner's privileges live": changing a role changes its holders' tokens at
 * their next verification). Admins have everything anyway (`userGrants`).
 */
export function effectiveUserGrants(user: UserRecord, roles: readonly RoleRecord[]): GrantSet {
  let grants: GrantSet = user.grants;
  for (const role of roles) {
    if (user.roles.includes(role.name)) grants = unionGrantSets(grants, role.grants);
  }
  return grants === 'all' ? 'all' : normalizeGrants(grants);
}

/** What a stored user answers as a `Directory` entry. */
export function directoryUserOf(user: UserRecord, roles: readonly RoleRecord[]): DirectoryUser {
  return { admin: user.admin, active: user.active, roles: user.roles, grants: effectiveUserGrants(user, roles) };
}

/**
 * The `Directory` of a `DirectoryStore`: what the service asks about users
 * at run time, answered from the store on every call (a role or a user
 * changed in the store takes effect at the next verification). Unknown
 * users answer null; inactive ones are answered as such.
 *
 * `createTokenService({ directoryStore })` uses it by itself; use it
 * directly where a service only verifies (another process sharing the store).
 *
 * @example
 * ```ts
 * import { createTokenService, storeDirectory } from 'tokenward';
 * import { sqliteDirectoryStore, sqliteRepository } from 'tokenward/sqlite';
 * const repository = sqliteRepository({ path: './tokenward.db' });
 * const verifier = createTokenService({
 *   repository,
 *   pepper,
 *   directory: storeDirectory(sqliteDirectoryStore({ database: repository.database })),
 * });
 * ```
 */
export function storeDirectory(store: DirectoryStore): Directory {
  return {
    async getUser(tenant: string, name: string): Promise<DirectoryUser | null> {
      const user = await store.findUser(tenant, name);
      if (user === null) return null;
      const roles = user.roles.length === 0 ? [] : await store.findRoles(tenant, user.roles);
      return directoryUserOf(user, roles);
    },
  };
}

/** The fields an audit entry compares, in the order it lists them. */
const USER_FIELDS = ['admin', 'active', 'roles', 'grants'] as const;
const ROLE_FIELDS = ['grants'] as const;

function changesOf<T extends object>(
  fields: readonly (keyof T & string)[],
  before: T | null,
  after: T | null,
): Record<string, DirectoryChange> {
  const changes: Record<string, DirectoryChange> = {};
  for (const field of fields) {
    const from = before === null ? null : before[field];
    const to = after === null ? null : after[field];
    // Canonical values (sorted roles, normalized grants) compare equal exactly when their JSON does.
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return changes;
}

/** What changed between two states of a user (`null`: not there), field by field. */
export function userChanges(before: UserRecord | null, after: UserRecord | null): Record<string, DirectoryChange> {
  return changesOf<UserRecord>(USER_FIELDS, before, after);
}

/** What changed between two states of a role. */
export function roleChanges(before: RoleRecord | null, after: RoleRecord | null): Record<string, DirectoryChange> {
  return changesOf<RoleRecord>(ROLE_FIELDS, before, after);
}

/**
 * Orders names by Unicode code point, as SQLite's BINARY and PostgreSQL's
 * `"C"` collation order UTF-8 text (JavaScript's `<` orders UTF-16 code
 * units, which differs above U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
