/** @internal `tokenward issue`, `list`, `revoke`, `rotate`: the plain subcommands for scripts. */
import type { TokenInfo } from '../../core/types.js';
import type { IssueInput, ListFilter, Page, TokenRef } from '../../service/types.js';
import { TOKEN_COLUMNS, timestamp, tokenRow } from '../../sql/answers.js';
import { integerOption, listOption, oneOf, stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../exit.js';
import { parseGrantOptions } from '../grants.js';
import { type Answer, table } from '../output.js';

const OWNER_OPTIONS = {
  for: { type: 'string' },
  administrative: { type: 'boolean' },
  id: { type: 'string' },
} as const;

const OWNER_HELP: readonly (readonly [string, string])[] = [
  ['--for USER', "another user's token (FOR USER; admins)"],
  ['--administrative', "the tenant's administrative token of that name (admins)"],
  ['--id ID', 'the token with this id, instead of a name'],
];

/** The token a command names: by `--id`, or by name among the acting user's, `--for`'s or the administrative tokens. */
function tokenRef(context: CommandContext, command: string): TokenRef {
  const owner = oneOf(context.values, ['for', 'administrative', 'id'], command);
  const name = context.args[0];
  if (owner === 'id') {
    if (name !== undefined) throw new UsageError('give a token name or --id, not both', command);
    return { id: stringOption(context.values, 'id')! };
  }
  if (name === undefined) throw new UsageError('name the token (or give --id)', command);
  const { tenant } = context.globals;
  if (owner === 'administrative') return { tenant, owner: null, name };
  const user = stringOption(context.values, 'for') ?? context.globals.as;
  if (user === undefined) {
    throw new UsageError('the operator names whose token it is: --for USER, --administrative or --id', command);
  }
  return { tenant, owner: user, name };
}

function secretAnswer(
  columns: readonly string[],
  row: (string | null)[],
  json: unknown,
  undelivered: () => Promise<string>,
): Answer {
  return { json, tables: [{ columns, rows: [row], secretColumns: ['token'] }], undelivered };
}

const issue: Command = {
  path: 'issue',
  summary: 'issue a token and print its secret, once',
  usage:
    'issue [NAME] [--for USER] [--type personal|limited|administrative] [--ttl DURATION|none] [--comment TEXT] [--grant GRANT]...',
  description:
    'Prints name | token | expires_at as CREATE API TOKEN does. The secret is shown this once: it is not stored and cannot be shown again.',
  options: {
    for: { type: 'string' },
    type: { type: 'string' },
    ttl: { type: 'string' },
    comment: { type: 'string' },
    grant: { type: 'string', multiple: true },
  },
  optionHelp: [
    ['--for USER', 'issue it for another user (admins; the operator must name one for personal tokens)'],
    ['--type TYPE', 'personal (default), limited (exactly its grants) or administrative (no owner; admins)'],
    ['--ttl DURATION', "lifetime: 90s, 15m, 24h, 30d, 2w, 1y; 'none' for no expiry where allowed (default 365d)"],
    ['--comment TEXT', 'what it is for'],
    ['--grant GRANT', 'narrowing grant (repeat): bucket:NAME:read|write, component:NAME[:ACTION], scope:NAME'],
  ],
  args: [0, 1],
  pepper: true,
  async run(context) {
    const type = stringOption(context.values, 'type');
    if (type !== undefined && !['personal', 'limited', 'administrative'].includes(type)) {
      throw new UsageError('--type must be personal, limited or administrative', 'issue');
    }
    const owner = stringOption(context.values, 'for');
    const ttl = stringOption(context.values, 'ttl');
    const comment = stringOption(context.values, 'comment');
    const grants = listOption(context.values, 'grant');
    const input: IssueInput = {
      tenant: context.globals.tenant,
      ...(type === undefined ? {} : { type: type as NonNullable<IssueInput['type']> }),
      ...(owner === undefined ? {} : { owner }),
      ...(context.args[0] === undefined ? {} : { name: context.args[0] }),
      ...(ttl === undefined ? {} : { ttl: ttl === 'none' ? null : ttl }),
      ...(comment === undefined ? {} : { comment }),
      ...(grants.length === 0 ? {} : { grants: parseGrantOptions(grants) }),
    };
    const { service } = await context.session();
    const { token, info } = await service.issue(input, context.actor);
    // A secret nobody received is a live credential nobody holds: the new token is revoked at once.
    const undelivered = async () => {
      await service.revoke({ id: info.id }, context.actor);
      return `the output was closed before the token's secret was written: token ${info.id} was revoked`;
    };
    const row = [info.name, token, timestamp(info.expiresAt), info.id];
    return secretAnswer(['name', 'token', 'expires_at', 'id'], row, { token, info }, undelivered);
  },
};

const list: Command = {
  path: 'list',
  summary: 'list tokens (SHOW API TOKENS): the acting user’s, a user’s, the administrative ones, or all',
  usage: 'list [--for USER | --administrative | --all] [--include-expired] [--include-revoked] [--limit N]',
  options: {
    for: { type: 'string' },
    administrative: { type: 'boolean' },
    all: { type: 'boolean' },
    'include-expired': { type: 'boolean' },
    'include-revoked': { type: 'boolean' },
    limit: { type: 'string' },
  },
  optionHelp: [
    ['--for USER', "another user's tokens (admins)"],
    ['--administrative', "the tenant's administrative tokens (admins)"],
    ['--all', 'every token of the tenant (admins; the default for the operator)'],
    ['--include-expired', 'show expired tokens too'],
    ['--include-revoked', 'show revoked tokens too'],
    ['--limit N', 'at most N tokens'],
  ],
  args: [0, 0],
  async run(context) {
    const owner = oneOf(context.values, ['for', 'administrative', 'all'], 'list');
    const limit = integerOption(context.values, 'limit', 'list') ?? Number.POSITIVE_INFINITY;
    const filter: ListFilter = {
      tenant: context.globals.tenant,
      ...(owner === 'for' ? { owner: stringOption(context.values, 'for')! } : {}),
      ...(owner === 'administrative' ? { owner: null } : {}),
      // The operator is nobody's user: without an owner it lists the tenant.
      ...(owner === 'all' || (owner === undefined && context.actor === 'system') ? { all: true } : {}),
      hideExpired: context.values['include-expired'] !== true,
      hideRevoked: context.values['include-revoked'] !== true,
    };
    const { service } = await context.session();
    const tokens: TokenInfo[] = [];
    let cursor: string | null = null;
    do {
      const size = Math.min(1000, limit - tokens.length);
      const page: Page<TokenInfo> = await service.list({ ...filter, limit: size, cursor }, context.actor);
      tokens.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && tokens.length < limit);
    return { json: { items: tokens }, tables: [table(TOKEN_COLUMNS, tokens.map(tokenRow))] };
  },
};

const revoke: Command = {
  path: 'revoke',
  summary: 'revoke a token now (DROP API TOKEN)',
  usage: 'revoke NAME [--for USER | --administrative] | revoke --id ID',
  options: OWNER_OPTIONS,
  optionHelp: OWNER_HELP,
  args: [0, 1],
  async run(context) {
    const { service } = await context.session();
    const info = await service.revoke(tokenRef(context, 'revoke'), context.actor);
    return {
      json: info,
      tables: [
        table(
          ['name', 'user', 'status', 'revoked_at'],
          [[info.name, info.owner, info.status, timestamp(info.revokedAt)]],
        ),
      ],
    };
  },
};

const rotate: Command = {
  path: 'rotate',
  summary: 'give a token a new secret and print it, once',
  usage: 'rotate NAME [--for USER | --administrative] [--grace DURATION] | rotate --id ID [--grace DURATION]',
  description: 'The old secret stops working now, or after the grace period (never past the token’s expiry).',
  options: { ...OWNER_OPTIONS, grace: { type: 'string' } },
  optionHelp: [...OWNER_HELP, ['--grace DURATION', 'keep the old secret working this long (15m, 1h, …)']],
  args: [0, 1],
  pepper: true,
  async run(context) {
    const grace = stringOption(context.values, 'grace');
    const { service } = await context.session();
    const ref = tokenRef(context, 'rotate');
    const options = grace === undefined ? {} : { gracePeriod: grace };
    const { token, info, graceEndsAt } = await service.rotate(ref, context.actor, options);
    // Revoking here would end the old secret's grace period too: the caller is told to rotate again instead.
    const undelivered = async () =>
      `the output was closed before the new secret of token ${info.id} was written: rotate it again to get one`;
    // grace_ends_at: when the old secret stops (null: it stopped now), as ROTATE answers it.
    const row = [info.name, token, timestamp(info.expiresAt), timestamp(graceEndsAt), info.id];
    const columns = ['name', 'token', 'expires_at', 'grace_ends_at', 'id'];
    return secretAnswer(columns, row, { token, info, graceEndsAt }, undelivered);
  },
};

export const TOKEN_COMMANDS: readonly Command[] = [issue, list, revoke, rotate];
