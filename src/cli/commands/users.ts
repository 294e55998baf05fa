/** @internal `tokenward users …`: the users of the store-backed directory. */
import type { UserPatch } from '../../service/directory-types.js';
import { listOption, oneOf } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../exit.js';
import { parseGrantOptions } from '../grants.js';
import { type Answer, table, USER_COLUMNS, userRow } from '../output.js';
import { everyPage } from './pages.js';

export const GRANT_HELP: readonly (readonly [string, string])[] = [
  ['--grant GRANT', 'a grant (repeat): bucket:NAME:read|write, component:NAME[:run|:configure], scope:NAME'],
  ['--all-grants', 'every grant in the tenant'],
];

/** The grants `--grant`, `--all-grants` (and `--no-grants`) give, if any: for users and roles alike. */
export function grantsOf(context: CommandContext, command: string) {
  const chosen = oneOf(context.values, ['grant', 'all-grants', 'no-grants'], command);
  if (chosen === 'all-grants') return 'all' as const;
  if (chosen === 'no-grants') return [];
  if (chosen === 'grant') return parseGrantOptions(listOption(context.values, 'grant'));
  return undefined;
}

function rolesOf(context: CommandContext): string[] | undefined {
  const chosen = oneOf(context.values, ['role', 'no-roles'], 'users');
  if (chosen === 'no-roles') return [];
  return chosen === 'role' ? listOption(context.values, 'role') : undefined;
}

function userAnswer(user: Parameters<typeof userRow>[0], extra: Record<string, unknown> = {}): Answer {
  return { json: { ...user, ...extra }, tables: [table(USER_COLUMNS, [userRow(user)])] };
}

const add: Command = {
  path: 'users add',
  summary: 'add a user to the tenant',
  usage: 'users add NAME [--admin] [--inactive] [--role ROLE]... [--grant GRANT]... [--all-grants]',
  description: 'Without --as, the operator adds the user: that is how the first admin of a tenant is made.',
  options: {
    admin: { type: 'boolean' },
    inactive: { type: 'boolean' },
    role: { type: 'string', multiple: true },
    grant: { type: 'string', multiple: true },
    'all-grants': { type: 'boolean' },
  },
  optionHelp: [
    ['--admin', 'a tenant administrator (every grant; manages tokens and the directory)'],
    ['--inactive', 'added disabled: their tokens do not work until they are active'],
    ['--role ROLE', 'a role the user holds (repeat); roles are made with `tokenward roles add`'],
    ...GRANT_HELP,
  ],
  args: [1, 1],
  async run(context) {
    const { service } = await context.session();
    const grants = grantsOf(context, 'users add');
    const user = await service.directory.addUser(
      {
        tenant: context.globals.tenant,
        name: context.args[0]!,
        admin: context.values.admin === true,
        active: context.values.inactive !== true,
        roles: listOption(context.values, 'role'),
        ...(grants === undefined ? {} : { grants }),
      },
      context.actor,
    );
    return userAnswer(user);
  },
};

const set: Command = {
  path: 'users set',
  summary: "change a user's admin flag, active flag, roles or grants",
  usage:
    'users set NAME [--admin | --no-admin] [--active | --inactive] [--role ROLE]... [--no-roles] [--grant GRANT]... [--all-grants] [--no-grants]',
  description:
    'Each option given replaces that field whole; the others stay. Tokens follow at their next verification.',
  options: {
    admin: { type: 'boolean' },
    'no-admin': { type: 'boolean' },
    active: { type: 'boolean' },
    inactive: { type: 'boolean' },
    role: { type: 'string', multiple: true },
    'no-roles': { type: 'boolean' },
    grant: { type: 'string', multiple: true },
    'all-grants': { type: 'boolean' },
    'no-grants': { type: 'boolean' },
  },
  optionHelp: [
    ['--admin, --no-admin', 'make or unmake a tenant administrator'],
    ['--active, --inactive', 'enable or disable the user (and every token they own)'],
    ['--role ROLE, --no-roles', 'the roles the user holds (repeat --role), or none'],
    ...GRANT_HELP,
    ['--no-grants', 'no grants of their own'],
  ],
  args: [1, 1],
  async run(context) {
    const admin = oneOf(context.values, ['admin', 'no-admin'], 'users set');
    const active = oneOf(context.values, ['active', 'inactive'], 'users set');
    const roles = rolesOf(context);
    const grants = grantsOf(context, 'users set');
    const patch: UserPatch = {
      ...(admin === undefined ? {} : { admin: admin === 'admin' }),
      ...(active === undefined ? {} : { active: active === 'active' }),
      ...(roles === undefined ? {} : { roles }),
      ...(grants === undefined ? {} : { grants }),
    };
    if (Object.keys(patch).length === 0)
      throw new UsageError('nothing to change: give at least one option', 'users set');
    const { service } = await context.session();
    const target = { tenant: context.globals.tenant, user: context.args[0]! };
    return userAnswer(await service.directory.updateUser(target, patch, context.actor));
  },
};

const remove: Command = {
  path: 'users remove',
  summary: 'remove a user: revoke all their tokens (master included), then delete them',
  usage: 'users remove NAME',
  args: [1, 1],
  async run(context) {
    const { service } = await context.session();
    const target = { tenant: context.globals.tenant, user: context.args[0]! };
    const { user, revoked } = await service.directory.removeUser(target, context.actor);
    return {
      json: { user, revoked },
      tables: [table(['name', 'removed', 'tokens_revoked'], [[user.name, true, revoked]])],
    };
  },
};

const list: Command = {
  path: 'users list',
  summary: "the tenant's users",
  usage: 'users list [--role ROLE]',
  options: { role: { type: 'string' } },
  optionHelp: [['--role ROLE', 'only the holders of this role']],
  args: [0, 0],
  async run(context) {
    const { service } = await context.session();
    const role = context.values.role as string | undefined;
    const users = await everyPage((cursor) =>
      service.directory.listUsers(
        { tenant: context.globals.tenant, ...(role === undefined ? {} : { role }), limit: 1000, cursor },
        context.actor,
      ),
    );
    return { json: { items: users }, tables: [table(USER_COLUMNS, users.map(userRow))] };
  },
};

const show: Command = {
  path: 'users show',
  summary: 'one user, with what they may do now',
  usage: 'users show NAME',
  args: [1, 1],
  async run(context) {
    const { service } = await context.session();
    return userAnswer(
      await service.directory.getUser({ tenant: context.globals.tenant, user: context.args[0]! }, context.actor),
    );
  },
};

export const USER_COMMANDS: readonly Command[] = [add, set, remove, list, show];
