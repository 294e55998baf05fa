/** @internal The users of the store-backed directory: add, read, list, change, remove. */
import { userChanges } from '../core/directory-records.js';
import type { DirectoryStore, UserRecord } from '../core/directory-store.js';
import { TokenError } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import { guarded, type ServiceContext } from './context.js';
import {
  auditEntry,
  booleanInput,
  directoryCall,
  grantsInput,
  retried,
  rolesInput,
  stored,
  userInfo,
  userInfoOf,
} from './directory-shared.js';
import type { DirectoryUserInfo, NewUserInput, RemovedUser, UserListFilter, UserPatch } from './directory-types.js';
import { pageRequest } from './lookup.js';
import { newEvent } from './material.js';
import type { Actor, Page, UserTarget } from './types.js';

function notFound(): TokenError {
  return new TokenError('not_found', 'user not found');
}

/** See `DirectoryService.addUser`. */
export async function addUser(context: ServiceContext, input: NewUserInput, actor: Actor): Promise<DirectoryUserInfo> {
  const fields = expectKeys(input, 'input', ['tenant', 'name', 'admin', 'active', 'roles', 'grants']);
  const name = identifier(fields.name, 'input.name');
  const user = {
    name,
    admin: booleanInput(fields.admin, 'input.admin', false),
    active: booleanInput(fields.active, 'input.active', true),
    roles: rolesInput(fields.roles, 'input.roles'),
    grants: grantsInput(fields.grants, 'input.grants'),
  };
  const { store, who, tenant } = await directoryCall(context, actor, fields.tenant, true);
  const at = context.now();
  const record: UserRecord = { tenant, ...user, createdAt: at, updatedAt: at, version: 1 };
  const entry = auditEntry(context, who, tenant, 'user_added', name, userChanges(null, record));
  await stored(store.insertUser(record, entry), 'input.roles');
  return userInfoOf(store, record);
}

/** The user a target names. @throws {TokenError} `not_found`. */
async function existing(store: DirectoryStore, tenant: string, name: string): Promise<UserRecord> {
  const user = await guarded(store.findUser(tenant, name));
  if (user === null) throw notFound();
  return user;
}

/** See `DirectoryService.getUser`. */
export async function getUser(context: ServiceContext, target: UserTarget, actor: Actor): Promise<DirectoryUserInfo> {
  const fields = expectKeys(target, 'target', ['tenant', 'user']);
  const name = identifier(fields.user, 'target.user');
  const { store, tenant } = await directoryCall(context, actor, fields.tenant, false, name);
  return userInfoOf(store, await existing(store, tenant, name));
}

/** See `DirectoryService.listUsers`. */
export async function listUsers(
  context: ServiceContext,
  filter: UserListFilter,
  actor: Actor,
): Promise<Page<DirectoryUserInfo>> {
  const fields = expectKeys(filter, 'filter', ['tenant', 'role', 'limit', 'cursor']);
  const role = fields.role === undefined ? undefined : identifier(fields.role, 'filter.role');
  const page = pageRequest(fields, 'filter');
  const { store, tenant } = await directoryCall(context, actor, fields.tenant, false);
  const found = await guarded(store.listUsers({ tenant, ...(role === undefined ? {} : { role }), ...page }));
  // Roles are read once for the whole page: users share them.
  const names = [...new Set(found.items.flatMap((user) => user.roles))];
  const roles = names.length === 0 ? [] : await guarded(store.findRoles(tenant, names));
  return { items: found.items.map((user) => userInfo(user, roles)), nextCursor: found.nextCursor };
}

/** See `DirectoryService.updateUser`. */
export async function updateUser(
  context: ServiceContext,
  target: UserTarget,
  patch: UserPatch,
  actor: Actor,
): Promise<DirectoryUserInfo> {
  const fields = expectKeys(target, 'target', ['tenant', 'user']);
  const name = identifier(fields.user, 'target.user');
  const given = expectKeys(patch, 'patch', ['admin', 'active', 'roles', 'grants']);
  const changes: Partial<Pick<UserRecord, 'admin' | 'active' | 'roles' | 'grants'>> = {
    ...(given.admin === undefined ? {} : { admin: booleanInput(given.admin, 'patch.admin', false) }),
    ...(given.active === undefined ? {} : { active: booleanInput(given.active, 'patch.active', true) }),
    ...(given.roles === undefined ? {} : { roles: rolesInput(given.roles, 'patch.roles') }),
    ...(given.grants === undefined ? {} : { grants: grantsInput(given.grants, 'patch.grants') }),
  };
  const { store, who, tenant } = await directoryCall(context, actor, fields.tenant, true);
  const after = await retried(async () => {
    const before = await existing(store, tenant, name);
    const next: UserRecord = { ...before, ...changes };
    const changed = userChanges(before, next);
    // Nothing to change: no write and no audit entry.
    if (Object.keys(changed).length === 0) return before;
    const at = context.now();
    const record: UserRecord = { ...next, updatedAt: at, version: before.version + 1 };
    const entry = auditEntry(context, who, tenant, 'user_changed', name, changed);
    return (await stored(store.updateUser(record, before.version, entry), 'patch.roles')) ? record : undefined;
  });
  return userInfoOf(store, after);
}

/** See `DirectoryService.removeUser`. */
export async function removeUser(context: ServiceContext, target: UserTarget, actor: Actor): Promise<RemovedUser> {
  const fields = expectKeys(target, 'target', ['tenant', 'user']);
  const name = identifier(fields.user, 'target.user');
  const { store, who, tenant } = await directoryCall(context, actor, fields.tenant, true);
  const revokeTokens = (): Promise<number> =>
    guarded(
      context.repository.revokeOwner(tenant, name, context.now(), {
        includeMaster: true,
        event: (record) => newEvent(context, record, 'revoked', who.label, { reason: 'user_removed' }),
      }),
    );
  let revoked = 0;
  // Tokens first: were the entry deleted first and the revocation to fail, a user added
  // later under the same name would find the old tokens working again.
  const removed = await retried(async () => {
    const before = await existing(store, tenant, name);
    revoked += await revokeTokens();
    const entry = auditEntry(context, who, tenant, 'user_removed', name, userChanges(before, null));
    return (await guarded(store.deleteUser(tenant, name, before.version, entry))) ? before : undefined;
  });
  // A token issued while the user was being removed (its issue had read the directory before) goes too.
  revoked += await revokeTokens();
  return { user: await userInfoOf(store, removed), revoked };
}
