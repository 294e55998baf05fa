/**
 * The in-memory `DirectoryStore`: users, roles and the directory audit log
 * of one process.
 */
import { compareCodePoints } from '../../core/directory-records.js';
import type {
  DirectoryAuditEntry,
  DirectoryPage,
  DirectoryStore,
  RoleRecord,
  UserRecord,
} from '../../core/directory-store.js';
import { expectKeys } from '../../core/input.js';
import {
  checkAuditPage,
  checkNamePage,
  frozenEntry,
  frozenRole,
  frozenUser,
  missingRole,
  namePageOf,
  nameTaken,
  roleHeld,
} from '../shared/directory.js';
import { compareNewestFirst, isAfterCursor, pageOf, type SortKey } from '../shared/paging.js';

const auditKey = (entry: DirectoryAuditEntry): SortKey => ({ time: entry.at, id: entry.id });

/** One tenant's part of the store. Records are frozen and replaced, never changed. */
class Tenant {
  readonly users = new Map<string, UserRecord>();
  readonly roles = new Map<string, RoleRecord>();
  /** Oldest first. */
  readonly audit: DirectoryAuditEntry[] = [];

  /** Appends an entry in (at, id) order (entries nearly always arrive in time order). */
  log(entry: DirectoryAuditEntry): void {
    let at = this.audit.length;
    while (at > 0 && compareNewestFirst(auditKey(this.audit[at - 1]!), auditKey(entry)) < 0) at--;
    this.audit.splice(at, 0, entry);
  }

  checkRoles(user: UserRecord): void {
    if (!user.roles.every((role) => this.roles.has(role))) throw missingRole();
  }
}

function byName<T extends { readonly name: string }>(items: Iterable<T>, after: string | null): T[] {
  return [...items]
    .filter((item) => after === null || compareCodePoints(item.name, after) > 0)
    .sort((a, b) => compareCodePoints(a.name, b.name));
}

/**
 * Creates an in-memory `DirectoryStore`. Each call checks and writes in
 * one synchronous step, so concurrent calls cannot interleave: one of
 * several inserts of a name wins, compare-and-set holds, and a role cannot
 * be removed while a concurrent write gives it to a user. Data lives as long
 * as the store object; use `sqliteDirectoryStore` or `postgresDirectoryStore`
 * to keep it.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { memoryDirectoryStore, memoryRepository } from 'tokenward/memory';
 * const tokens = createTokenService({ repository: memoryRepository(), directoryStore: memoryDirectoryStore(), pepper });
 * ```
 */
export function memoryDirectoryStore(...none: []): DirectoryStore {
  expectKeys((none as unknown[])[0], 'options', []);
  const tenants = new Map<string, Tenant>();
  return { ...userCalls(tenants), ...roleCalls(tenants), async close() {} };
}

/** The tenant's part of the store, made on its first write. */
function tenantIn(tenants: Map<string, Tenant>, name: string): Tenant {
  let found = tenants.get(name);
  if (found === undefined) {
    found = new Tenant();
    tenants.set(name, found);
  }
  return found;
}

function userCalls(
  tenants: Map<string, Tenant>,
): Pick<DirectoryStore, 'findUser' | 'listUsers' | 'insertUser' | 'updateUser' | 'deleteUser' | 'listAudit'> {
  return {
    async findUser(tenant, name) {
      return tenants.get(tenant)?.users.get(name) ?? null;
    },
    async listUsers(query) {
      const after = checkNamePage(query);
      const users = [...(tenants.get(query.tenant)?.users.values() ?? [])];
      const held = query.role === undefined ? users : users.filter((user) => user.roles.includes(query.role!));
      return namePageOf(byName(held, after).slice(0, query.limit + 1), query.limit);
    },
    async insertUser(user, entry) {
      const [stored, logged] = [frozenUser(user), frozenEntry(entry)];
      const tenant = tenantIn(tenants, user.tenant);
      if (tenant.users.has(user.name)) throw nameTaken('user');
      tenant.checkRoles(stored);
      tenant.users.set(stored.name, stored);
      tenant.log(logged);
    },
    async updateUser(user, expectedVersion, entry) {
      const [stored, logged] = [frozenUser(user), frozenEntry(entry)];
      const tenant = tenants.get(user.tenant);
      if (tenant?.users.get(user.name)?.version !== expectedVersion) return false;
      tenant.checkRoles(stored);
      tenant.users.set(stored.name, stored);
      tenant.log(logged);
      return true;
    },
    async deleteUser(tenantName, name, expectedVersion, entry) {
      const logged = frozenEntry(entry);
      const tenant = tenants.get(tenantName);
      if (tenant?.users.get(name)?.version !== expectedVersion) return false;
      tenant.users.delete(name);
      tenant.log(logged);
      return true;
    },
    async listAudit(query): Promise<DirectoryPage<DirectoryAuditEntry>> {
      const cursor = checkAuditPage(query);
      const log = tenants.get(query.tenant)?.audit ?? [];
      const read: DirectoryAuditEntry[] = [];
      for (let i = log.length - 1; i >= 0 && read.length <= query.limit; i--) {
        if (isAfterCursor(auditKey(log[i]!), cursor)) read.push(log[i]!);
      }
      return pageOf(read, query.limit, auditKey);
    },
  };
}

function roleCalls(
  tenants: Map<string, Tenant>,
): Pick<DirectoryStore, 'findRoles' | 'listRoles' | 'insertRole' | 'updateRole' | 'deleteRole'> {
  return {
    async findRoles(tenant, names) {
      const roles = tenants.get(tenant)?.roles;
      return roles === undefined ? [] : names.flatMap((name) => roles.get(name) ?? []);
    },
    async listRoles(query) {
      const after = checkNamePage(query);
      const roles = byName(tenants.get(query.tenant)?.roles.values() ?? [], after);
      return namePageOf(roles.slice(0, query.limit + 1), query.limit);
    },
    async insertRole(role, entry) {
      const [stored, logged] = [frozenRole(role), frozenEntry(entry)];
      const tenant = tenantIn(tenants, role.tenant);
      if (tenant.roles.has(role.name)) throw nameTaken('role');
      tenant.roles.set(stored.name, stored);
      tenant.log(logged);
    },
    async updateRole(role, expectedVersion, entry) {
      const [stored, logged] = [frozenRole(role), frozenEntry(entry)];
      const tenant = tenants.get(role.tenant);
      if (tenant?.roles.get(role.name)?.version !== expectedVersion) return false;
      tenant.roles.set(stored.name, stored);
      tenant.log(logged);
      return true;
    },
    async deleteRole(tenantName, name, expectedVersion, entry) {
      const logged = frozenEntry(entry);
      const tenant = tenants.get(tenantName);
      if (tenant?.roles.get(name)?.version !== expectedVersion) return false;
      for (const user of tenant.users.values()) if (user.roles.includes(name)) throw roleHeld();
      tenant.roles.delete(name);
      tenant.log(logged);
      return true;
    },
  };
}
