/** @internal The roles of the store-backed directory, and its audit log. */
import { roleChanges } from '../core/directory-records.js';
import type { DirectoryStore, RoleRecord } from '../core/directory-store.js';
import { TokenError } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import { guarded, type ServiceContext } from './context.js';
import { auditEntry, auditInfo, directoryCall, grantsInput, retried, roleInfo } from './directory-shared.js';
import type {
  DirectoryAuditInfo,
  DirectoryListFilter,
  DirectoryRoleInfo,
  NewRoleInput,
  RolePatch,
  RoleTarget,
} from './directory-types.js';
import { pageRequest } from './lookup.js';
import type { Actor, Page } from './types.js';

async function existing(store: DirectoryStore, tenant: string, name: string): Promise<RoleRecord> {
  const [role] = await guarded(store.findRoles(tenant, [name]));
  if (role === undefined) throw new TokenError('not_found', 'role not found');
  return role;
}

function roleTarget(target: RoleTarget): { tenant: unknown; name: string } {
  const fields = expectKeys(target, 'target', ['tenant', 'role']);
  return { tenant: fields.tenant, name: identifier(fields.role, 'target.role') };
}

/** See `DirectoryService.addRole`. */
export async function addRole(context: ServiceContext, input: NewRoleInput, actor: Actor): Promise<DirectoryRoleInfo> {
  const fields = expectKeys(input, 'input', ['tenant', 'name', 'grants']);
  const name = identifier(fields.name, 'input.name');
  const grants = grantsInput(fields.grants, 'input.grants');
  const { store, who, tenant } = await directoryCall(context, actor, fields.tenant, true);
  const at = context.now();
  const role: RoleRecord = { tenant, name, grants, createdAt: at, updatedAt: at, version: 1 };
  await guarded(store.insertRole(role, auditEntry(context, who, tenant, 'role_added', name, roleChanges(null, role))));
  return roleInfo(role);
}

/** See `DirectoryService.getRole`. */
export async function getRole(context: ServiceContext, target: RoleTarget, actor: Actor): Promise<DirectoryRoleInfo> {
  const { tenant: requested, name } = roleTarget(target);
  const { store, tenant } = await directoryCall(context, actor, requested, false);
  return roleInfo(await existing(store, tenant, name));
}

/** See `DirectoryService.listRoles`. */
export async function listRoles(
  context: ServiceContext,
  filter: DirectoryListFilter,
  actor: Actor,
): Promise<Page<DirectoryRoleInfo>> {
  const fields = expectKeys(filter, 'filter', ['tenant', 'limit', 'cursor']);
  const page = pageRequest(fields, 'filter');
  const { store, tenant } = await directoryCall(context, actor, fields.tenant, false);
  const found = await guarded(store.listRoles({ tenant, ...page }));
  return { items: found.items.map(roleInfo), nextCursor: found.nextCursor };
}

/** See `DirectoryService.updateRole`. */
export async function updateRole(
  context: ServiceContext,
  target: RoleTarget,
  patch: RolePatch,
  actor: Actor,
): Promise<DirectoryRoleInfo> {
  const { tenant: requested, name } = roleTarget(target);
  const given = expectKeys(patch, 'patch', ['grants']);
  const grants = given.grants === undefined ? undefined : grantsInput(given.grants, 'patch.grants');
  const { store, who, tenant } = await directoryCall(context, actor, requested, true);
  const after = await retried(async () => {
    const before = await existing(store, tenant, name);
    const next: RoleRecord = grants === undefined ? before : { ...before, grants };
    const changed = roleChanges(before, next);
    if (Object.keys(changed).length === 0) return before;
    const role: RoleRecord = { ...next, updatedAt: context.now(), version: before.version + 1 };
    const entry = auditEntry(context, who, tenant, 'role_changed', name, changed);
    return (await guarded(store.updateRole(role, before.version, entry))) ? role : undefined;
  });
  return roleInfo(after);
}

/** See `DirectoryService.removeRole`. */
export async function removeRole(
  context: ServiceContext,
  target: RoleTarget,
  actor: Actor,
): Promise<DirectoryRoleInfo> {
  const { tenant: requested, name } = roleTarget(target);
  const { store, who, tenant } = await directoryCall(context, actor, requested, true);
  const removed = await retried(async () => {
    const before = await existing(store, tenant, name);
    const entry = auditEntry(context, who, tenant, 'role_removed', name, roleChanges(before, null));
    return (await guarded(store.deleteRole(tenant, name, before.version, entry))) ? before : undefined;
  });
  return roleInfo(removed);
}

/** See `DirectoryService.auditLog`. */
export async function auditLog(
  context: ServiceContext,
  filter: DirectoryListFilter,
  actor: Actor,
): Promise<Page<DirectoryAuditInfo>> {
  const fields = expectKeys(filter, 'filter', ['tenant', 'limit', 'cursor']);
  const page = pageRequest(fields, 'filter');
  const { store, tenant } = await directoryCall(context, actor, fields.tenant, false);
  const found = await guarded(store.listAudit({ tenant, ...page }));
  return { items: found.items.map(auditInfo), nextCursor: found.nextCursor };
}
