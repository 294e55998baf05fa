import type { GrantSet } from './types.js';

/**
 * A user as a `DirectoryStore` keeps it: who they are in one tenant, and
 * what the directory answers about them (docs/concepts.md, "The
 * store-backed directory").
 */
export interface UserRecord {
  readonly tenant: string;
  /** The user name (an identifier: 1-200 letters, digits or `._@+:-`), unique in its tenant. */
  readonly name: string;
  /** Tenant administrators have every grant, act FOR USER and manage the directory. */
  readonly admin: boolean;
  /** `false` disables the user and every token they own, until set back. */
  readonly active: boolean;
  /** Names of roles of the same tenant, each stored as a `RoleRecord`; sorted by code point, each once. */
  readonly roles: readonly string[];
  /** The user's own grants, in canonical form (`normalizeGrants`), or `'all'`. */
  readonly grants: GrantSet;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** 1 when created; incremented by every change. The basis of compare-and-set. */
  readonly version: number;
}

/** A role: a name that users hold, with the grants it adds to theirs. */
export interface RoleRecord {
  readonly tenant: string;
  /** The role name (an identifier), unique in its tenant. Duration policies name roles by it. */
  readonly name: string;
  /** What holding the role adds to a user's own grants, canonical, or `'all'`. */
  readonly grants: GrantSet;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

/** What a directory audit entry records. */
export type DirectoryAction =
  | 'user_added'
  | 'user_changed'
  | 'user_removed'
  | 'role_added'
  | 'role_changed'
  | 'role_removed';

/** One changed field: its value before and after (`null` before an addition and after a removal). */
export interface DirectoryChange {
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * One entry of a tenant's directory audit log: who changed which user or
 * role, when, and what. Written in the same atomic step as the change.
 */
export interface DirectoryAuditEntry {
  /** A ULID. */
  readonly id: string;
  readonly tenant: string;
  /** When, epoch milliseconds. */
  readonly at: number;
  /** Who (`system`, `user:alice`, `token:<id>`), as token events name actors. */
  readonly actor: string;
  readonly action: DirectoryAction;
  /** The user or role name the action is about (which one the action says). */
  readonly subject: string;
  /** Each field that changed (`admin`, `active`, `roles`, `grants`), as plain JSON values. */
  readonly changes: Readonly<Record<string, DirectoryChange>>;
}

/** A page of a directory listing. `cursor` is opaque; `nextCursor` is null on the last page. */
export interface DirectoryPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Filter and page of `listUsers`: users by name, in code-point order. */
export interface UserQuery {
  readonly tenant: string;
  /** Only the users holding this role. */
  readonly role?: string;
  /** Page size, 1–1000. */
  readonly limit: number;
  readonly cursor?: string | null;
}

/** Page of `listRoles` and `listAudit`. */
export interface DirectoryQuery {
  readonly tenant: string;
  /** Page size, 1–1000. */
  readonly limit: number;
  readonly cursor?: string | null;
}

/**
 * Storage of a tenant's users and roles, and of the audit log of their
 * changes: the store-backed directory (SPEC §8). Separate from
 * `TokenRepository`, so token stores of other authors keep working; the
 * memory, SQLite and PostgreSQL stores have one each (`memoryDirectoryStore`,
 * `sqliteDirectoryStore`, `postgresDirectoryStore`), and
 * `describeDirectoryContract` of `tokenward/testing` checks any
 * implementation against what follows.
 *
 * Conventions:
 * - Every write is one atomic step that also appends its audit `entry`: a
 *   change and its log never disagree, and a refused write leaves neither.
 * - Changes are compare-and-set on `version`: a write names the version it
 *   read, and of concurrent writes from one version exactly one succeeds.
 * - A user's `roles` name stored roles: writing a user with a role that does
 *   not exist throws `TokenError('not_found')` with `details.field`
 *   `'roles'`, and a role held by any user cannot be removed
 *   (`TokenError('conflict')`), also under concurrent writes.
 * - Names are compared by code points, exactly as given; lists are ordered
 *   by code point. Records returned share nothing mutable with storage.
 * - Only `conflict` and `not_found` are thrown as `TokenError`s, where said;
 *   any other failure is thrown as is, and the service answers `unavailable`.
 */
export interface DirectoryStore {
  /** The user `name` of `tenant`, or null. */
  findUser(tenant: string, name: string): Promise<UserRecord | null>;

  /** The stored roles among `names` (missing ones are left out), in any order. */
  findRoles(tenant: string, names: readonly string[]): Promise<RoleRecord[]>;

  /** Users of a tenant by name (code-point order), optionally only a role's holders, paged. */
  listUsers(query: UserQuery): Promise<DirectoryPage<UserRecord>>;

  /**
   * Stores a new user (`version` 1). Throws `TokenError('conflict')` when
   * the tenant has a user of that name already: of concurrent inserts of
   * one name exactly one succeeds.
   */
  insertUser(user: UserRecord, entry: DirectoryAuditEntry): Promise<void>;

  /**
   * Compare-and-set: replaces the user `(user.tenant, user.name)` with
   * `user` (whose `version` is `expectedVersion + 1`) if its stored version
   * is `expectedVersion`. False when it is not, or the user is gone.
   */
  updateUser(user: UserRecord, expectedVersion: number, entry: DirectoryAuditEntry): Promise<boolean>;

  /** Compare-and-set: deletes the user if its stored version is `expectedVersion`. False otherwise. */
  deleteUser(tenant: string, name: string, expectedVersion: number, entry: DirectoryAuditEntry): Promise<boolean>;

  /** Roles of a tenant by name (code-point order), paged. */
  listRoles(query: DirectoryQuery): Promise<DirectoryPage<RoleRecord>>;

  /** Stores a new role (`version` 1); a name taken in the tenant is a `conflict`. */
  insertRole(role: RoleRecord, entry: DirectoryAuditEntry): Promise<void>;

  /** Compare-and-set, as `updateUser`. */
  updateRole(role: RoleRecord, expectedVersion: number, entry: DirectoryAuditEntry): Promise<boolean>;

  /**
   * Compare-and-set: deletes the role if its stored version is
   * `expectedVersion` (false otherwise). Throws `TokenError('conflict')` while
   * any user holds it.
   */
  deleteRole(tenant: string, name: string, expectedVersion: number, entry: DirectoryAuditEntry): Promise<boolean>;

  /** The tenant's audit log, newest first (`at` then `id` descending), paged. */
  listAudit(query: DirectoryQuery): Promise<DirectoryPage<DirectoryAuditEntry>>;

  /** Releases what the store opened itself. */
  close?(): Promise<void>;
}
