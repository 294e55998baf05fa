/**
 * The SQLite `DirectoryStore`: users, roles and the directory audit log in
 * the same file as the tokens (schema step 3).
 */
import type Database from 'better-sqlite3';
import { compareCodePoints } from '../../core/directory-records.js';
import type {
  DirectoryAuditEntry,
  DirectoryStore,
  RoleRecord,
  UserQuery,
  UserRecord,
} from '../../core/directory-store.js';
import {
  checkAuditPage,
  checkNamePage,
  grantsFromColumn,
  grantsJson,
  missingRole,
  namePageOf,
  nameTaken,
  roleHeld,
} from '../shared/directory.js';
import { pageOf } from '../shared/paging.js';
import { openSqliteStore } from './open.js';
import { type Prepare, preparer } from './statements.js';
import { sqliteTransactions } from './transaction.js';

const USER_COLUMNS = `tenant, name, admin, active, grants, created_at AS createdAt, updated_at AS updatedAt, version,
  (SELECT json_group_array(role) FROM tokenward_directory_user_roles r
    WHERE r.tenant = u.tenant AND r.user_name = u.name) AS roles`;
const ROLE_COLUMNS = 'tenant, name, grants, created_at AS createdAt, updated_at AS updatedAt, version';
const AUDIT_COLUMNS = 'id, tenant, at, actor, action, subject, changes';

const STATEMENTS = {
  findUser: `SELECT ${USER_COLUMNS} FROM tokenward_directory_users u WHERE tenant = ? AND name = ?`,
  userVersion: 'SELECT version FROM tokenward_directory_users WHERE tenant = ? AND name = ?',
  findRoles: `SELECT ${ROLE_COLUMNS} FROM tokenward_directory_roles
    WHERE tenant = ? AND name IN (SELECT value FROM json_each(?))`,
  listUsers: `SELECT ${USER_COLUMNS} FROM tokenward_directory_users u
    WHERE tenant = ? AND name > ?
      AND (? IS NULL OR EXISTS (SELECT 1 FROM tokenward_directory_user_roles r
        WHERE r.tenant = u.tenant AND r.user_name = u.name AND r.role = ?))
    ORDER BY name LIMIT ?`,
  insertUser: `INSERT INTO tokenward_directory_users (tenant, name, admin, active, grants, created_at, updated_at, version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  updateUser: `UPDATE tokenward_directory_users SET admin = ?, active = ?, grants = ?, updated_at = ?, version = ?
    WHERE tenant = ? AND name = ?`,
  deleteUser: 'DELETE FROM tokenward_directory_users WHERE tenant = ? AND name = ?',
  clearUserRoles: 'DELETE FROM tokenward_directory_user_roles WHERE tenant = ? AND user_name = ?',
  addUserRole: 'INSERT INTO tokenward_directory_user_roles (tenant, user_name, role) VALUES (?, ?, ?)',
  listRoles: `SELECT ${ROLE_COLUMNS} FROM tokenward_directory_roles WHERE tenant = ? AND name > ? ORDER BY name LIMIT ?`,
  roleVersion: 'SELECT version FROM tokenward_directory_roles WHERE tenant = ? AND name = ?',
  insertRole: `INSERT INTO tokenward_directory_roles (tenant, name, grants, created_at, updated_at, version)
    VALUES (?, ?, ?, ?, ?, ?)`,
  updateRole: `UPDATE tokenward_directory_roles SET grants = ?, updated_at = ?, version = ? WHERE tenant = ? AND name = ?`,
  deleteRole: 'DELETE FROM tokenward_directory_roles WHERE tenant = ? AND name = ?',
  roleHeld: 'SELECT 1 FROM tokenward_directory_user_roles WHERE tenant = ? AND role = ? LIMIT 1',
  insertAudit: `INSERT INTO tokenward_directory_audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  auditFirst: `SELECT ${AUDIT_COLUMNS} FROM tokenward_directory_audit WHERE tenant = ?
    ORDER BY at DESC, id DESC LIMIT ?`,
  auditAfter: `SELECT ${AUDIT_COLUMNS} FROM tokenward_directory_audit WHERE tenant = ? AND (at, id) < (?, ?)
    ORDER BY at DESC, id DESC LIMIT ?`,
};

type Statements = Record<keyof typeof STATEMENTS, Database.Statement>;

interface UserRow {
  tenant: string;
  name: string;
  admin: number;
  active: number;
  grants: string;
  createdAt: number;
  updatedAt: number;
  version: number;
  roles: string;
}

type RoleRow = Omit<RoleRecord, 'grants'> & { grants: string };
type AuditRow = Omit<DirectoryAuditEntry, 'changes'> & { changes: string };

function toUser(row: UserRow): UserRecord {
  const roles = (JSON.parse(row.roles) as string[]).sort(compareCodePoints);
  return { ...row, admin: row.admin === 1, active: row.active === 1, roles, grants: grantsFromColumn(row.grants) };
}

function toRole(row: RoleRow): RoleRecord {
  return { ...row, grants: grantsFromColumn(row.grants) };
}

function toEntry(row: AuditRow): DirectoryAuditEntry {
  return { ...row, changes: JSON.parse(row.changes) as DirectoryAuditEntry['changes'] };
}

/** Options of `sqliteDirectoryStore`: as `sqliteRepository`'s. */
export type SqliteDirectoryOptions = ({ readonly path: string } | { readonly database: Database.Database }) & {
  /** How long a change waits for another connection's write lock, in ms (default 1000). */
  readonly busyTimeoutMs?: number;
};

/** The SQLite directory store, with the connection it works on. */
export interface SqliteDirectoryStore extends DirectoryStore {
  readonly database: Database.Database;
  /** Closes the connection if the store opened it (idempotent). */
  close(): Promise<void>;
}

/** The writes, each one `BEGIN IMMEDIATE` transaction: its checks and writes under one write lock. */
function writes(sql: Statements, run: <R>(work: () => R) => R) {
  const log = (entry: DirectoryAuditEntry): void => {
    sql.insertAudit.run(entry.id, entry.tenant, entry.at, entry.actor, entry.action, entry.subject, json(entry));
  };
  const setRoles = (user: UserRecord): void => {
    const stored = new Set(
      (sql.findRoles.all(user.tenant, JSON.stringify(user.roles)) as RoleRow[]).map((role) => role.name),
    );
    if (!user.roles.every((role) => stored.has(role))) throw missingRole();
    sql.clearUserRoles.run(user.tenant, user.name);
    for (const role of user.roles) sql.addUserRole.run(user.tenant, user.name, role);
  };
  const versionIs = (statement: Database.Statement, tenant: string, name: string, expected: number): boolean =>
    (statement.get(tenant, name) as { version: number } | undefined)?.version === expected;
  const userValues = (user: UserRecord) => [user.admin ? 1 : 0, user.active ? 1 : 0, grantsJson(user.grants)];
  return {
    insertUser: (user: UserRecord, entry: DirectoryAuditEntry): void =>
      run(() => {
        if (sql.userVersion.get(user.tenant, user.name) !== undefined) throw nameTaken('user');
        sql.insertUser.run(user.tenant, user.name, ...userValues(user), user.createdAt, user.updatedAt, user.version);
        setRoles(user);
        log(entry);
      }),
    updateUser: (user: UserRecord, expected: number, entry: DirectoryAuditEntry): boolean =>
      run(() => {
        if (!versionIs(sql.userVersion, user.tenant, user.name, expected)) return false;
        sql.updateUser.run(...userValues(user), user.updatedAt, user.version, user.tenant, user.name);
        setRoles(user);
        log(entry);
        return true;
      }),
    deleteUser: (tenant: string, name: string, expected: number, entry: DirectoryAuditEntry): boolean =>
      run(() => {
        if (!versionIs(sql.userVersion, tenant, name, expected)) return false;
        sql.clearUserRoles.run(tenant, name);
        sql.deleteUser.run(tenant, name);
        log(entry);
        return true;
      }),
    insertRole: (role: RoleRecord, entry: DirectoryAuditEntry): void =>
      run(() => {
        if (sql.roleVersion.get(role.tenant, role.name) !== undefined) throw nameTaken('role');
        sql.insertRole.run(
          role.tenant,
          role.name,
          grantsJson(role.grants),
          role.createdAt,
          role.updatedAt,
          role.version,
        );
        log(entry);
      }),
    updateRole: (role: RoleRecord, expected: number, entry: DirectoryAuditEntry): boolean =>
      run(() => {
        if (!versionIs(sql.roleVersion, role.tenant, role.name, expected)) return false;
        sql.updateRole.run(grantsJson(role.grants), role.updatedAt, role.version, role.tenant, role.name);
        log(entry);
        return true;
      }),
    deleteRole: (tenant: string, name: string, expected: number, entry: DirectoryAuditEntry): boolean =>
      run(() => {
        if (!versionIs(sql.roleVersion, tenant, name, expected)) return false;
        if (sql.roleHeld.get(tenant, name) !== undefined) throw roleHeld();
        sql.deleteRole.run(tenant, name);
        log(entry);
        return true;
      }),
  };
}

function json(entry: DirectoryAuditEntry): string {
  return JSON.stringify(entry.changes);
}

/**
 * A `DirectoryStore` on SQLite: the users, roles and directory audit log of
 * the store-backed directory (docs/concepts.md), in the tokens' file.
 * Opens it like `sqliteRepository` (the schema is created or migrated on
 * open); give it the repository's connection (`{ database:
 * repository.database }`) to share one. Each write is one `BEGIN IMMEDIATE`
 * transaction, so its checks (a name taken, a version moved, a role missing
 * or still held) and its writes, audit entry included, cannot interleave
 * with another connection's.
 *
 * @throws TokenError `invalid_request` for bad options, as `sqliteRepository`.
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { sqliteDirectoryStore, sqliteRepository } from 'tokenward/sqlite';
 * const repository = sqliteRepository({ path: './tokenward.db' });
 * const directoryStore = sqliteDirectoryStore({ database: repository.database });
 * const tokens = createTokenService({ repository, directoryStore, pepper });
 * ```
 */
export function sqliteDirectoryStore(options: SqliteDirectoryOptions): SqliteDirectoryStore {
  const { db, owned, busyTimeoutMs } = openSqliteStore(options);
  const prepare: Prepare = preparer(db);
  const sql = Object.fromEntries(Object.entries(STATEMENTS).map(([name, text]) => [name, prepare(text)])) as Statements;
  const transactions = sqliteTransactions(db, prepare, busyTimeoutMs);
  const write = writes(sql, transactions.run);
  return {
    database: db,
    async findUser(tenant, name) {
      const row = sql.findUser.get(tenant, name) as UserRow | undefined;
      return row === undefined ? null : toUser(row);
    },
    async findRoles(tenant, names) {
      return (sql.findRoles.all(tenant, JSON.stringify(names)) as RoleRow[]).map(toRole);
    },
    async listUsers(query: UserQuery) {
      const after = checkNamePage(query) ?? '';
      const role = query.role ?? null;
      const rows = sql.listUsers.all(query.tenant, after, role, role, query.limit + 1) as UserRow[];
      return namePageOf(rows.map(toUser), query.limit);
    },
    insertUser: async (user, entry) => write.insertUser(user, entry),
    updateUser: async (user, expected, entry) => write.updateUser(user, expected, entry),
    deleteUser: async (tenant, name, expected, entry) => write.deleteUser(tenant, name, expected, entry),
    async listRoles(query) {
      const after = checkNamePage(query) ?? '';
      const rows = sql.listRoles.all(query.tenant, after, query.limit + 1) as RoleRow[];
      return namePageOf(rows.map(toRole), query.limit);
    },
    insertRole: async (role, entry) => write.insertRole(role, entry),
    updateRole: async (role, expected, entry) => write.updateRole(role, expected, entry),
    deleteRole: async (tenant, name, expected, entry) => write.deleteRole(tenant, name, expected, entry),
    async listAudit(query) {
      const cursor = checkAuditPage(query);
      const rows = (
        cursor === null
          ? sql.auditFirst.all(query.tenant, query.limit + 1)
          : sql.auditAfter.all(query.tenant, cursor.time, cursor.id, query.limit + 1)
      ) as AuditRow[];
      return pageOf(rows.map(toEntry), query.limit, (entry) => ({ time: entry.at, id: entry.id }));
    },
    async close() {
      if (owned && db.open) db.close();
    },
  };
}
