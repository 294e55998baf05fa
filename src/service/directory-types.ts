import type { DirectoryAuditEntry, RoleRecord, UserRecord } from '../core/directory-store.js';
import type { Grant, GrantSet } from '../core/types.js';
import type { Actor, Page, UserTarget } from './types.js';

/** A user of the store-backed directory, as the service answers it (`UserRecord` without its version, times as `Date`s). */
export interface DirectoryUserInfo
  extends Pick<UserRecord, 'tenant' | 'name' | 'admin' | 'active' | 'roles' | 'grants'> {
  /**
   * What the user may do now, which their personal tokens inherit:
   * everything for admins, else their own grants and their roles' together.
   */
  readonly effectiveGrants: GrantSet;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A role of the store-backed directory (`RoleRecord` without its version, times as `Date`s). */
export interface DirectoryRoleInfo extends Pick<RoleRecord, 'tenant' | 'name' | 'grants'> {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One entry of a tenant's directory audit log, `at` as a `Date` (an ISO 8601 string over HTTP). */
export interface DirectoryAuditInfo extends Omit<DirectoryAuditEntry, 'at'> {
  readonly at: Date;
}

/** What `directory.addUser` accepts. */
export interface NewUserInput {
  /** Defaults to the actor's tenant; required when the system acts. */
  readonly tenant?: string;
  /** 1-200 letters, digits or `._@+:-`, unique in the tenant. */
  readonly name: string;
  /** Tenant administrator (default false). */
  readonly admin?: boolean;
  /** Default true; an inactive user's tokens stop working until they are active again. */
  readonly active?: boolean;
  /** Roles (stored ones, see `addRole`), at most 100. Default none. */
  readonly roles?: readonly string[];
  /** The user's own grants, or `'all'` (default none). */
  readonly grants?: readonly Grant[] | 'all';
}

/** What `directory.updateUser` changes: only the fields given, each replaced whole. */
export interface UserPatch {
  readonly admin?: boolean;
  readonly active?: boolean;
  readonly roles?: readonly string[];
  readonly grants?: readonly Grant[] | 'all';
}

/** A role a call names; `tenant` defaults to the actor's. */
export interface RoleTarget {
  readonly tenant?: string;
  readonly role: string;
}

/** What `directory.addRole` accepts. */
export interface NewRoleInput {
  readonly tenant?: string;
  /** 1-200 letters, digits or `._@+:-`, unique in the tenant. */
  readonly name: string;
  /** What the role adds to its holders' grants (default none: a role for duration policies only). */
  readonly grants?: readonly Grant[] | 'all';
}

/** What `directory.updateRole` changes. */
export interface RolePatch {
  readonly grants?: readonly Grant[] | 'all';
}

/** Filter and page of `directory.listUsers`. */
export interface UserListFilter {
  readonly tenant?: string;
  /** Only the holders of this role. */
  readonly role?: string;
  /** Page size, 1–1000 (default 100). */
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** Page of `directory.listRoles` and `directory.auditLog`. */
export interface DirectoryListFilter {
  readonly tenant?: string;
  /** Page size, 1–1000 (default 100). */
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** The answer of `directory.removeUser`. */
export interface RemovedUser {
  /** The user as they were. */
  readonly user: DirectoryUserInfo;
  /** How many of their tokens were revoked (master included). */
  readonly revoked: number;
}

/**
 * Management of the store-backed directory (`createTokenService({
 * directoryStore })`): its users and roles, and the tenant's audit log of
 * their changes. docs/concepts.md, "The store-backed directory".
 *
 * Who may call: changing a user's admin flag, roles or grants changes
 * authority, so every change is for the system (the operator), a tenant
 * admin acting as themself, or the master token of an admin; no other token
 * (narrowed, personal, administrative, verification, a session) changes the
 * directory. Reading it (users, roles, the log) takes admin rights; a user
 * may read their own entry. Every call resolves its actor as the token calls
 * do, and a refusal is `forbidden`.
 *
 * Without a `directoryStore`, every call throws `invalid_request` naming
 * `directoryStore`. Every change writes one audit entry in the same atomic
 * step (who, when, which fields from what to what); a change that changes
 * nothing writes none.
 */
export interface DirectoryService {
  /**
   * Adds a user.
   *
   * @returns The user as stored.
   * @throws {TokenError} `invalid_request` (a field of `input`), `forbidden`,
   *   `conflict` (the tenant has a user of this name), `not_found` (a role
   *   that does not exist; `details.field` `input.roles`), `unavailable`.
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
   * ```
   */
  addUser(input: NewUserInput, actor: Actor): Promise<DirectoryUserInfo>;

  /**
   * A user. @throws {TokenError} `invalid_request`, `forbidden`, `not_found`, `unavailable`.
   * @example
   * ```ts
   * const alice = await tokens.directory.getUser({ user: 'alice' }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  getUser(target: UserTarget, actor: Actor): Promise<DirectoryUserInfo>;

  /**
   * The tenant's users by name (code-point order), optionally a role's holders.
   * @throws {TokenError} `invalid_request`, `forbidden`, `unavailable`.
   * @example
   * ```ts
   * const { items, nextCursor } = await tokens.directory.listUsers({ role: 'service_accounts' }, admin);
   * ```
   */
  listUsers(filter: UserListFilter, actor: Actor): Promise<Page<DirectoryUserInfo>>;

  /**
   * Changes a user's admin flag, active flag, roles or own grants (each
   * given field replaced whole). Takes effect on their tokens at the next
   * verification.
   *
   * @throws {TokenError} `invalid_request` (a field of `patch`), `forbidden`,
   *   `not_found` (no such user; a role that does not exist, `details.field`
   *   `patch.roles`), `conflict` (changed concurrently again and again), `unavailable`.
   * @example
   * ```ts
   * await tokens.directory.updateUser({ user: 'analyst' }, { roles: ['service_accounts'] }, admin);
   * ```
   */
  updateUser(target: UserTarget, patch: UserPatch, actor: Actor): Promise<DirectoryUserInfo>;

  /**
   * Removes a user from the tenant (Keboola): revokes all their tokens,
   * master included, then deletes them from the directory.
   *
   * @throws {TokenError} `invalid_request`, `forbidden`, `not_found`, `conflict`, `unavailable`.
   * @example
   * ```ts
   * const { revoked } = await tokens.directory.removeUser({ user: 'bob' }, admin);
   * ```
   */
  removeUser(target: UserTarget, actor: Actor): Promise<RemovedUser>;

  /**
   * Adds a role.
   * @throws {TokenError} `invalid_request`, `forbidden`, `conflict` (name taken), `unavailable`.
   * @example
   * ```ts
   * await tokens.directory.addRole({ name: 'analysts', grants: [{ bucket: 'in.c-main', access: 'read' }] }, admin);
   * ```
   */
  addRole(input: NewRoleInput, actor: Actor): Promise<DirectoryRoleInfo>;

  /**
   * A role. @throws {TokenError} `invalid_request`, `forbidden`, `not_found`, `unavailable`.
   * @example
   * ```ts
   * const role = await tokens.directory.getRole({ role: 'analysts' }, admin);
   * ```
   */
  getRole(target: RoleTarget, actor: Actor): Promise<DirectoryRoleInfo>;

  /**
   * The tenant's roles by name. @throws {TokenError} `invalid_request`, `forbidden`, `unavailable`.
   * @example
   * ```ts
   * const { items } = await tokens.directory.listRoles({}, admin);
   * ```
   */
  listRoles(filter: DirectoryListFilter, actor: Actor): Promise<Page<DirectoryRoleInfo>>;

  /**
   * Replaces a role's grants; its holders' tokens follow at their next verification.
   * @throws {TokenError} `invalid_request`, `forbidden`, `not_found`, `conflict`, `unavailable`.
   * @example
   * ```ts
   * await tokens.directory.updateRole({ role: 'analysts' }, { grants: [] }, admin);
   * ```
   */
  updateRole(target: RoleTarget, patch: RolePatch, actor: Actor): Promise<DirectoryRoleInfo>;

  /**
   * Removes a role no user holds (take it from its holders first:
   * `listUsers({ role })`). Duration policies on it stay until unset.
   *
   * @returns The role as it was.
   * @throws {TokenError} `invalid_request`, `forbidden`, `not_found`,
   *   `conflict` (a user holds it), `unavailable`.
   * @example
   * ```ts
   * await tokens.directory.removeRole({ role: 'analysts' }, admin);
   * ```
   */
  removeRole(target: RoleTarget, actor: Actor): Promise<DirectoryRoleInfo>;

  /**
   * The tenant's directory audit log, newest first.
   * @throws {TokenError} `invalid_request`, `forbidden`, `unavailable`.
   * @example
   * ```ts
   * const { items } = await tokens.directory.auditLog({ limit: 20 }, admin);
   * ```
   */
  auditLog(filter: DirectoryListFilter, actor: Actor): Promise<Page<DirectoryAuditInfo>>;
}
