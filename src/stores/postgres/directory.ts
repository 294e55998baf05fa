/**
 * The PostgreSQL `DirectoryStore`: users, roles and the directory audit log
 * in the tables of migration 3. Every guarantee comes from the database:
 * names are primary keys (one of concurrent inserts wins), changes are
 * `UPDATE … WHERE version = $n`, and foreign keys keep a user's roles real
 * (a held role cannot be deleted; a deleted one cannot be given), whatever
 * other instances do meanwhile.
 */
import type { PoolClient } from 'pg';
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
import type { PostgresLocation } from './names.js';
import { directorySettings } from './options.js';
import type { PostgresPool } from './repository.js';
import { transaction } from './store.js';

/** Options of `postgresDirectoryStore`: the pool and the location `migrate` was given. */
export interface PostgresDirectoryOptions extends PostgresLocation {
  /** The connection pool (yours: the store never ends it). */
  readonly pool: PostgresPool;
}

interface Tables {
  readonly users: string;
  readonly roles: string;
  readonly userRoles: string;
  readonly audit: string;
}

interface UserRow {
  tenant: string;
  name: string;
  admin: boolean;
  active: boolean;
  grants: unknown;
  created_at: string;
  updated_at: string;
  version: number;
  roles: string[];
}

interface RoleRow {
  tenant: string;
  name: string;
  grants: unknown;
  created_at: string;
  updated_at: string;
  version: number;
}

interface AuditRow {
  id: string;
  tenant: string;
  at: string;
  actor: string;
  action: DirectoryAuditEntry['action'];
  subject: string;
  changes: DirectoryAuditEntry['changes'];
}

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function toUser(row: UserRow): UserRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    admin: row.admin,
    active: row.active,
    roles: row.roles,
    grants: grantsFromColumn(row.grants),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    version: row.version,
  };
}

function toRole(row: RoleRow): RoleRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    grants: grantsFromColumn(row.grants),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    version: row.version,
  };
}

function toEntry(row: AuditRow): DirectoryAuditEntry {
  return { ...row, at: Number(row.at) };
}

/** The statements of one store, on its tables. */
function statements(t: Tables) {
  const userColumns = `tenant, name, admin, active, grants, created_at, updated_at, version,
    ARRAY(SELECT r.role FROM ${t.userRoles} r WHERE r.tenant = u.tenant AND r.user_name = u.name ORDER BY r.role) AS roles`;
  const roleColumns = 'tenant, name, grants, created_at, updated_at, version';
  const auditColumns = 'id, tenant, at, actor, action, subject, changes';
  return {
    findUser: `SELECT ${userColumns} FROM ${t.users} u WHERE tenant = $1 AND name = $2`,
    findRoles: `SELECT ${roleColumns} FROM ${t.roles} WHERE tenant = $1 AND name = ANY($2::text[])`,
    listUsers: `SELECT ${userColumns} FROM ${t.users} u WHERE tenant = $1 AND name > $2
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM ${t.userRoles} r
        WHERE r.tenant = u.tenant AND r.user_name = u.name AND r.role = $3))
      ORDER BY name LIMIT $4`,
    insertUser: `INSERT INTO ${t.users} (tenant, name, admin, active, grants, created_at, updated_at, version)
      VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
    updateUser: `UPDATE ${t.users} SET admin = $3, active = $4, grants = $5::jsonb, updated_at = $6, version = $7
      WHERE tenant = $1 AND name = $2 AND version = $8`,
    deleteUser: `DELETE FROM ${t.users} WHERE tenant = $1 AND name = $2 AND version = $3`,
    dropRoles: `DELETE FROM ${t.userRoles} WHERE tenant = $1 AND user_name = $2 AND role <> ALL($3::text[])`,
    addRoles: `INSERT INTO ${t.userRoles} (tenant, user_name, role) SELECT $1, $2, unnest($3::text[])
      ON CONFLICT DO NOTHING`,
    listRoles: `SELECT ${roleColumns} FROM ${t.roles} WHERE tenant = $1 AND name > $2 ORDER BY name LIMIT $3`,
    insertRole: `INSERT INTO ${t.roles} (tenant, name, grants, created_at, updated_at, version)
      VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
    updateRole: `UPDATE ${t.roles} SET grants = $3::jsonb, updated_at = $4, version = $5
      WHERE tenant = $1 AND name = $2 AND version = $6`,
    deleteRole: `DELETE FROM ${t.roles} WHERE tenant = $1 AND name = $2 AND version = $3`,
    insertAudit: `INSERT INTO ${t.audit} (${auditColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    auditFirst: `SELECT ${auditColumns} FROM ${t.audit} WHERE tenant = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    auditAfter: `SELECT ${auditColumns} FROM ${t.audit} WHERE tenant = $1 AND (at, id) < ($2, $3)
      ORDER BY at DESC, id DESC LIMIT $4`,
  };
}

type Sql = ReturnType<typeof statements>;

function auditValues(entry: DirectoryAuditEntry): unknown[] {
  return [entry.id, entry.tenant, entry.at, entry.actor, entry.action, entry.subject, JSON.stringify(entry.changes)];
}

function userValues(user: UserRecord): unknown[] {
  return [user.tenant, user.name, user.admin, user.active, grantsJson(user.grants)];
}

/** Runs `work` in a transaction, turning the database's refusals into the contract's errors. */
async function guardedWrite<T>(
  pool: PostgresPool,
  refusals: Readonly<Record<string, () => Error>>,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await transaction(pool, work);
  } catch (error) {
    const refusal = refusals[String(codeOf(error))];
    throw refusal === undefined ? error : refusal();
  }
}

function userWrites(pool: PostgresPool, sql: Sql): Pick<DirectoryStore, 'insertUser' | 'updateUser' | 'deleteUser'> {
  const refusals = { [UNIQUE_VIOLATION]: () => nameTaken('user'), [FOREIGN_KEY_VIOLATION]: missingRole };
  return {
    insertUser: (user, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        await client.query(sql.insertUser, [...userValues(user), user.createdAt, user.updatedAt, user.version]);
        await client.query(sql.addRoles, [user.tenant, user.name, user.roles]);
        await client.query(sql.insertAudit, auditValues(entry));
      }),
    updateUser: (user, expected, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        const values = [...userValues(user), user.updatedAt, user.version, expected];
        if ((await client.query(sql.updateUser, values)).rowCount !== 1) return false;
        await client.query(sql.dropRoles, [user.tenant, user.name, user.roles]);
        await client.query(sql.addRoles, [user.tenant, user.name, user.roles]);
        await client.query(sql.insertAudit, auditValues(entry));
        return true;
      }),
    deleteUser: (tenant, name, expected, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        if ((await client.query(sql.deleteUser, [tenant, name, expected])).rowCount !== 1) return false;
        await client.query(sql.insertAudit, auditValues(entry));
        return true;
      }),
  };
}

function roleWrites(pool: PostgresPool, sql: Sql): Pick<DirectoryStore, 'insertRole' | 'updateRole' | 'deleteRole'> {
  // Deleting a role a user holds (or gains meanwhile) fails its foreign key: the role is held.
  const refusals = { [UNIQUE_VIOLATION]: () => nameTaken('role'), [FOREIGN_KEY_VIOLATION]: roleHeld };
  const values = (role: RoleRecord): unknown[] => [role.tenant, role.name, grantsJson(role.grants)];
  return {
    insertRole: (role, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        await client.query(sql.insertRole, [...values(role), role.createdAt, role.updatedAt, role.version]);
        await client.query(sql.insertAudit, auditValues(entry));
      }),
    updateRole: (role, expected, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        const changed = await client.query(sql.updateRole, [...values(role), role.updatedAt, role.version, expected]);
        if (changed.rowCount !== 1) return false;
        await client.query(sql.insertAudit, auditValues(entry));
        return true;
      }),
    deleteRole: (tenant, name, expected, entry) =>
      guardedWrite(pool, refusals, async (client) => {
        if ((await client.query(sql.deleteRole, [tenant, name, expected])).rowCount !== 1) return false;
        await client.query(sql.insertAudit, auditValues(entry));
        return true;
      }),
  };
}

/**
 * A `DirectoryStore` on PostgreSQL, for the store-backed directory of
 * several service instances (docs/concepts.md). Run `migrate(pool, {
 * schema, tablePrefix })` first (migration 3 creates its tables), with the
 * location given here. Each write is one transaction with its audit entry;
 * a driver error is thrown as is (the service answers `unavailable`).
 *
 * @throws TokenError `invalid_request` naming `pool`, `schema`, `tablePrefix`
 *   or an unknown option, before any query.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createTokenService } from 'tokenward';
 * import { migrate, postgresDirectoryStore, postgresRepository } from 'tokenward/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const tokens = createTokenService({
 *   repository: postgresRepository({ pool }),
 *   directoryStore: postgresDirectoryStore({ pool }),
 *   pepper,
 * });
 * ```
 */
export function postgresDirectoryStore(options: PostgresDirectoryOptions): DirectoryStore {
  const { pool, names } = directorySettings(options);
  const table = (name: string): string => `"${names.schema}"."${names.prefix}${name}"`;
  const sql = statements({
    users: table('directory_users'),
    roles: table('directory_roles'),
    userRoles: table('directory_user_roles'),
    audit: table('directory_audit'),
  });
  return {
    async findUser(tenant, name) {
      const { rows } = await pool.query<UserRow>(sql.findUser, [tenant, name]);
      return rows[0] === undefined ? null : toUser(rows[0]);
    },
    async findRoles(tenant, roleNames) {
      return (await pool.query<RoleRow>(sql.findRoles, [tenant, roleNames])).rows.map(toRole);
    },
    async listUsers(query: UserQuery) {
      const after = checkNamePage(query) ?? '';
      const values = [query.tenant, after, query.role ?? null, query.limit + 1];
      return namePageOf((await pool.query<UserRow>(sql.listUsers, values)).rows.map(toUser), query.limit);
    },
    ...userWrites(pool, sql),
    async listRoles(query) {
      const after = checkNamePage(query) ?? '';
      const { rows } = await pool.query<RoleRow>(sql.listRoles, [query.tenant, after, query.limit + 1]);
      return namePageOf(rows.map(toRole), query.limit);
    },
    ...roleWrites(pool, sql),
    async listAudit(query) {
      const cursor = checkAuditPage(query);
      const { rows } = await (cursor === null
        ? pool.query<AuditRow>(sql.auditFirst, [query.tenant, query.limit + 1])
        : pool.query<AuditRow>(sql.auditAfter, [query.tenant, cursor.time, cursor.id, query.limit + 1]));
      return pageOf(rows.map(toEntry), query.limit, (entry) => ({ time: entry.at, id: entry.id }));
    },
    // The pool is the caller's: nothing to close here.
    async close(): Promise<void> {},
  };
}
