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
