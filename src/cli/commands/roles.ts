/** @internal `tokenward roles …`: roles of the store-backed directory, and `tokenward audit`. */
import { integerOption } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../exit.js';
import { AUDIT_COLUMNS, auditRow, ROLE_COLUMNS, roleRow, table } from '../output.js';
import { everyPage } from './pages.js';
import { GRANT_HELP, grantsOf } from './users.js';

const GRANT_OPTIONS = {
  grant: { type: 'string', multiple: true },
  'all-grants': { type: 'boolean' },
  'no-grants': { type: 'boolean' },
} as const;

const add: Command = {
  path: 'roles add',
  summary: 'add a role: a name users hold, with grants it adds to theirs',
  usage: 'roles add NAME [--grant GRANT]... [--all-grants]',
  description:
    "A user's grants are their own and their roles'. A role without grants still names a group for duration policies (ALTER ROLE … SET API TOKEN MAX DURATION).",
  options: { grant: GRANT_OPTIONS.grant, 'all-grants': GRANT_OPTIONS['all-grants'] },
  optionHelp: GRANT_HELP,
  args: [1, 1],
  async run(context) {
    const grants = grantsOf(context, 'roles add');
    const { service } = await context.session();
    const role = await service.directory.addRole(
      { tenant: context.globals.tenant, name: context.args[0]!, ...(grants === undefined ? {} : { grants }) },
      context.actor,
    );
    return { json: role, tables: [table(ROLE_COLUMNS, [roleRow(role)])] };
  },
};

const set: Command = {
  path: 'roles set',
  summary: "replace a role's grants",
  usage: 'roles set NAME (--grant GRANT... | --all-grants | --no-grants)',
  options: GRANT_OPTIONS,
  optionHelp: [...GRANT_HELP, ['--no-grants', 'no grants (a role for duration policies only)']],
  args: [1, 1],
  async run(context) {
    const grants = grantsOf(context, 'roles set');
    if (grants === undefined) throw new UsageError('give --grant, --all-grants or --no-grants', 'roles set');
    const { service } = await context.session();
    const target = { tenant: context.globals.tenant, role: context.args[0]! };
    const role = await service.directory.updateRole(target, { grants }, context.actor);
    return { json: role, tables: [table(ROLE_COLUMNS, [roleRow(role)])] };
  },
};

const remove: Command = {
  path: 'roles remove',
  summary: 'remove a role nobody holds',
  usage: 'roles remove NAME',
  description: 'A role some user holds is refused (conflict): see its holders with `tokenward users list --role NAME`.',
  args: [1, 1],
  async run(context) {
    const { service } = await context.session();
    const role = await service.directory.removeRole(
      { tenant: context.globals.tenant, role: context.args[0]! },
      context.actor,
    );
    return { json: role, tables: [table(['name', 'removed'], [[role.name, true]])] };
  },
};

const list: Command = {
  path: 'roles list',
  summary: "the tenant's roles",
  usage: 'roles list',
  args: [0, 0],
  async run(context) {
    const { service } = await context.session();
    const roles = await everyPage((cursor) =>
      service.directory.listRoles({ tenant: context.globals.tenant, limit: 1000, cursor }, context.actor),
    );
    return { json: { items: roles }, tables: [table(ROLE_COLUMNS, roles.map(roleRow))] };
  },
};

const show: Command = {
  path: 'roles show',
  summary: 'one role, with its grants',
  usage: 'roles show NAME',
  args: [1, 1],
  async run(context) {
    const { service } = await context.session();
    const role = await service.directory.getRole(
      { tenant: context.globals.tenant, role: context.args[0]! },
      context.actor,
    );
    return { json: role, tables: [table(ROLE_COLUMNS, [roleRow(role)])] };
  },
};

export const ROLE_COMMANDS: readonly Command[] = [add, set, remove, list, show];

export const audit: Command = {
  path: 'audit',
  summary: "the tenant's directory audit log, newest first",
  usage: 'audit [--limit N]',
  options: { limit: { type: 'string' } },
  optionHelp: [['--limit N', 'at most N entries (default 100, at most 1000)']],
  args: [0, 0],
  async run(context) {
    const limit = integerOption(context.values, 'limit', 'audit') ?? 100;
    const { service } = await context.session();
    const { items } = await service.directory.auditLog({ tenant: context.globals.tenant, limit }, context.actor);
    return { json: { items }, tables: [table(AUDIT_COLUMNS, items.map(auditRow))] };
  },
};
