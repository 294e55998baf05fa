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
