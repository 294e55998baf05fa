import { invalid, TokenError } from './errors.js';
import type { Directory, DirectoryUser } from './types.js';

/** Users by tenant, then by user name. */
export type StaticDirectoryData = Readonly<Record<string, Readonly<Record<string, DirectoryUser>>>>;

/** Users by name, in an object without a prototype: every key it has is its own. */
type UserTable = Readonly<Record<string, DirectoryUser | undefined>>;

/**
 * A directory from a fixed table, for tests, demos and small services whose
 * users live in configuration. Real services implement `Directory` on their
 * own user store; answers may be asynchronous.
 *
 * The table is read once, here: its tenants and their users (own members
 * only, so a user called "constructor" or "__proto__" is not an Object
 * method) are copied into objects without a prototype, where one property
 * read answers a lookup (issue 12: two own-property checks cost about as
 * much again at a thousand tokens; a `Map` costs one cache miss more than
 * a property read at a million). Changes made to `data` afterwards are
 * not seen: make a new directory.
 *
 * @throws {TokenError} `invalid_request` naming `directory` (or
 *   `directory.<tenant>`) when `data` or a tenant's users are not an object;
 *   a tenant whose users are `undefined` has none.
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
  const tenants = ownCopy(data, 'directory', (users: UserTable | undefined, tenant) =>
    users === undefined ? undefined : ownCopy(users, `directory.${tenant}`, (user) => user),
  );
  return {
    getUser(tenant: string, user: string): DirectoryUser | null {
      return tenants[tenant]?.[user] ?? null;
    },
  };
}

/** A copy without a prototype of the own string-named members of `table`, each value through `copy`. */
function ownCopy<T, U>(table: unknown, field: string, copy: (value: T, name: string) => U): Record<string, U> {
  if (typeof table !== 'object' || table === null) {
    throw invalid(field, 'must be an object of users by tenant, then by user name');
  }
  const members = table as Readonly<Record<string, T>>;
  const copied = Object.create(null) as Record<string, U>;
  for (const name of Object.getOwnPropertyNames(members)) copied[name] = copy(members[name]!, name);
  return copied;
}

/** @internal True when the directory answer is a live user. */
export function isActiveUser(user: DirectoryUser | null | undefined): user is DirectoryUser {
  return user !== null && user !== undefined && user.active !== false;
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
    return isActiveUser(found) ? found : null;
  } catch (cause) {
    throw new TokenError('unavailable', 'the user directory is unavailable', { cause });
  }
}
