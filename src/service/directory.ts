/** @internal `service.directory`: management of the store-backed directory, one call per capability function. */
import type { ServiceContext } from './context.js';
import { addRole, auditLog, getRole, listRoles, removeRole, updateRole } from './directory-roles.js';
import type { DirectoryService } from './directory-types.js';
import { addUser, getUser, listUsers, removeUser, updateUser } from './directory-users.js';

export function directoryService(context: ServiceContext): DirectoryService {
  return {
    addUser: (input, actor) => addUser(context, input, actor),
    getUser: (target, actor) => getUser(context, target, actor),
    listUsers: (filter, actor) => listUsers(context, filter, actor),
    updateUser: (target, patch, actor) => updateUser(context, target, patch, actor),
    removeUser: (target, actor) => removeUser(context, target, actor),
    addRole: (input, actor) => addRole(context, input, actor),
    getRole: (target, actor) => getRole(context, target, actor),
    listRoles: (filter, actor) => listRoles(context, filter, actor),
    updateRole: (target, patch, actor) => updateRole(context, target, patch, actor),
    removeRole: (target, actor) => removeRole(context, target, actor),
    auditLog: (filter, actor) => auditLog(context, filter, actor),
  };
}
