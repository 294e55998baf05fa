import { formatDuration, parseDuration } from '../core/duration.js';
import { isTokenError, TokenError } from '../core/errors.js';
import type { MaxTtlSource } from '../core/policy.js';
import type { TokenService } from '../service/token-service.js';
import type { Actor, ExpiringFilter, IssueInput, ListFilter, Page, TokenPatch, TokenRef } from '../service/types.js';
import {
  answer,
  EVENT_COLUMNS,
  eventRow,
  POLICY_COLUMNS,
  secretAnswer,
  TOKEN_COLUMNS,
  timestamp,
  tokenRow,
  toServiceGrants,
} from './answers.js';
import type { Statement, StatementKind, StatementResult, TokenOwnerClause } from './types.js';
import { checkStatement } from './validate.js';

/** Options of `executeStatement`. */
export interface ExecuteOptions {
  /**
   * The tenant to act in. Defaults to the actor's; required when the actor
   * is `'system'`. A user or token actor cannot name another tenant (`forbidden`).
   */
  readonly tenant?: string;
}

interface Context {
  readonly service: TokenService;
  readonly actor: Actor;
  /** `{ tenant }` when the caller named one, else `{}`: spread into service inputs. */
  readonly tenant: { readonly tenant?: string };
}

type Handler<K extends StatementKind> = (
  context: Context,
  statement: Extract<Statement, { kind: K }>,
) => Promise<StatementResult>;

/** The user the actor acts as, if any: a signed-in user, or a token's owner. */
function actingUser(actor: Actor): string | null {
  if (actor === 'system') return null;
  if ('principal' in actor) return actor.principal.owner;
  return actor.user;
}

/** The tenant a statement acts in: the one the caller named, else the actor's (none for the system). */
function tenantOf(context: Context): string | null {
  const { actor } = context;
  if (context.tenant.tenant !== undefined) return context.tenant.tenant;
  if (actor === 'system') return null;
  return 'principal' in actor ? actor.principal.tenant : actor.tenant;
}

function userOf(
  context: Context,
  owner: { readonly kind: 'own' } | { readonly kind: 'user'; readonly user: string },
): string {
  if (owner.kind === 'user') return owner.user;
  const user = actingUser(context.actor);
  if (user === null) {
    throw new TokenError('invalid_request', 'statement.owner: FOR USER is needed when the actor is not a user', {
      field: 'statement.owner',
    });
  }
  return user;
}

/** The service's reference to a token named by a statement. */
function refOf(context: Context, statement: { readonly name: string; readonly owner: TokenOwnerClause }): TokenRef {
  const owner = statement.owner.kind === 'administrative' ? null : userOf(context, statement.owner);
  return { ...context.tenant, owner, name: statement.name };
}

/** Every item of a paged call, up to `max`; pages are asked for at most 1000 at a time. */
async function collect<T>(
  page: (cursor: string | null, limit: number) => Promise<Page<T>>,
  max: number = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const next: Page<T> = await page(cursor, Math.min(1000, max - items.length));
    items.push(...next.items.slice(0, max - items.length));
    // A cursor that does not move would loop for ever; a well-behaved store never returns one.
    cursor = next.nextCursor === cursor ? null : next.nextCursor;
  } while (cursor !== null && items.length < max);
  return items;
}

const createToken: Handler<'createToken'> = async ({ service, actor, tenant }, statement) => {
  const administrative = statement.owner.kind === 'administrative';
  const input: IssueInput = {
    ...tenant,
    ...(administrative ? { type: 'administrative' as const } : {}),
    ...(statement.type === undefined ? {} : { type: statement.type }),
    ...(statement.owner.kind === 'user' ? { owner: statement.owner.user } : {}),
    ...(statement.name === undefined ? {} : { name: statement.name }),
    ...(statement.maxDuration === undefined ? {} : { ttl: statement.maxDuration }),
    ...(statement.comment === undefined ? {} : { comment: statement.comment }),
    ...(statement.grants === undefined ? {} : { grants: toServiceGrants(statement.grants) }),
  };
  const { token, info } = await service.issue(input, actor);
  return secretAnswer(['name', 'token', 'expires_at'], [info.name, token, timestamp(info.expiresAt)], ['token']);
};

const showTokens: Handler<'showTokens'> = async ({ service, actor, tenant }, statement) => {
  const { owner } = statement;
  const filter: ListFilter = {
    ...tenant,
    ...(owner.kind === 'all' ? { all: true } : {}),
    ...(owner.kind === 'user' ? { owner: owner.user } : {}),
    ...(owner.kind === 'administrative' ? { owner: null } : {}),
    hideExpired: !statement.includeExpired,
    hideRevoked: !statement.includeRevoked,
  };
  const items = await collect((cursor, limit) => service.list({ ...filter, limit, cursor }, actor), statement.limit);
  return answer(TOKEN_COLUMNS, items.map(tokenRow));
};

const alterTokenComment: Handler<'alterTokenComment'> = async (context, statement) => {
  const info = await context.service.updateComment(refOf(context, statement), statement.comment, context.actor);
  return answer(['name', 'user', 'comment'], [[info.name, info.owner, info.comment]]);
};

const rotateToken: Handler<'rotateToken'> = async (context, statement) => {
  const { gracePeriod } = statement;
  const options = gracePeriod === undefined ? {} : { gracePeriod };
  // The grace's end as stored (previousExpiresAt): rotatedAt may run ahead of the clock it is counted on.
  const { token, info, graceEndsAt } = await context.service.rotate(refOf(context, statement), context.actor, options);
  return secretAnswer(
    ['name', 'token', 'expires_at', 'grace_ends_at'],
    [info.name, token, timestamp(info.expiresAt), timestamp(graceEndsAt)],
    ['token'],
  );
};

const dropToken: Handler<'dropToken'> = async (context, statement) => {
  const columns = ['name', 'user', 'status', 'revoked_at'];
  try {
    const info = await context.service.revoke(refOf(context, statement), context.actor);
    return answer(columns, [[info.name, info.owner, info.status, timestamp(info.revokedAt)]]);
  } catch (error) {
    if (statement.ifExists && isTokenError(error, 'not_found')) return answer(columns, []);
    throw error;
  }
};

const dropAllTokens: Handler<'dropAllTokens'> = async ({ service, actor, tenant }, statement) => {
  const revoked = await service.revokeAll({ ...tenant, user: statement.user }, actor);
  return answer(['user', 'revoked'], [[statement.user, revoked]]);
};

const setMaxDuration: Handler<'setMaxDuration'> = async ({ service, actor, tenant }, statement) => {
  const { kind, name } = statement.subject;
  const target = kind === 'user' ? { ...tenant, user: name } : { ...tenant, role: name };
  await service.setMaxTtl(target, statement.maxDuration, actor);
  const shown = statement.maxDuration === null ? null : formatDuration(parseDuration(statement.maxDuration));
  return answer([kind, 'max_duration'], [[name, shown]]);
};

function sameSource(a: MaxTtlSource, b: MaxTtlSource): boolean {
  return a.kind === b.kind && (a.kind === 'system' || (b.kind !== 'system' && a.name === b.name));
}

const showMaxDuration: Handler<'showMaxDuration'> = async (context, statement) => {
  const { service, actor } = context;
  const user = userOf(context, statement.owner);
  // explainMaxTtl takes no actor: listing the user's tokens first applies the same
  // rule (the user themself, or an administrator of the tenant) before anything is shown.
  // (The system without a tenant is refused there too, so a tenant is known below.)
  await service.list({ ...context.tenant, owner: user, limit: 1 }, actor);
  const explained = await service.explainMaxTtl({ tenant: tenantOf(context) ?? '', user });
  const rows = explained.applicable.map((policy) => [
    policy.source.kind,
    policy.source.kind === 'system' ? null : policy.source.name,
    formatDuration(policy.maxTtl),
    !explained.capped && sameSource(policy.source, explained.source),
  ]);
  // Exactly one row is effective: the winning policy, or the system maximum when none applies or it caps the winner.
  if (explained.source.kind === 'system' || explained.capped) {
    rows.push(['system', null, formatDuration(explained.maxTtl), true]);
  }
  return answer(POLICY_COLUMNS, rows);
};

const shareToken: Handler<'shareToken'> = async (context, statement) => {
  const options = statement.validFor === undefined ? {} : { ttl: statement.validFor };
  const shared = await context.service.share(refOf(context, statement), context.actor, options);
  return secretAnswer(
    ['name', 'claim_code', 'expires_at'],
    [statement.name, shared.code, timestamp(shared.expiresAt)],
    ['claim_code'],
  );
};

const claimToken: Handler<'claimToken'> = async ({ service }, statement) => {
  const { token, info } = await service.claim(statement.code);
  return secretAnswer(
    ['name', 'user', 'token', 'expires_at'],
    [info.name, info.owner, token, timestamp(info.expiresAt)],
    ['token'],
  );
};

const showTokenEvents: Handler<'showTokenEvents'> = async (context, statement) => {
  const ref = refOf(context, statement);
  const events = await collect(
    (cursor, limit) => context.service.events(ref, context.actor, { limit, cursor }),
    statement.limit,
  );
  return answer(EVENT_COLUMNS, events.map(eventRow));
};

const updateToken: Handler<'updateToken'> = async (context, statement) => {
  const { change } = statement;
  const patch: TokenPatch =
    'meta' in change
      ? { meta: change.meta }
      : 'enabled' in change
        ? { enabled: change.enabled }
        : 'newName' in change
          ? { name: change.newName }
          : { ttl: change.maxDuration };
  const info = await context.service.update(refOf(context, statement), patch, context.actor);
  return answer(
    ['name', 'user', 'enabled', 'expires_at', 'meta'],
    [
      [
        info.name,
        info.owner,
        info.enabled,
        timestamp(info.expiresAt),
        info.meta === null ? null : JSON.stringify(info.meta),
      ],
    ],
  );
};

const showExpiringTokens: Handler<'showExpiringTokens'> = async ({ service, actor, tenant }, statement) => {
  const { owner } = statement;
  const filter: ExpiringFilter = {
    ...tenant,
    ...(owner.kind === 'all' ? { all: true } : {}),
    ...(owner.kind === 'user' ? { owner: owner.user } : {}),
    ...(owner.kind === 'administrative' ? { owner: null } : {}),
    within: statement.within,
  };
  const page = (cursor: string | null, limit: number) => service.listExpiring({ ...filter, limit, cursor }, actor);
  return answer(TOKEN_COLUMNS, (await collect(page, statement.limit)).map(tokenRow));
};

const HANDLERS: { readonly [K in StatementKind]: Handler<K> } = {
  createToken,
  showTokens,
  alterTokenComment,
  rotateToken,
  dropToken,
  dropAllTokens,
  setMaxDuration,
  showMaxDuration,
  shareToken,
  claimToken,
  showTokenEvents,
  updateToken,
  showExpiringTokens,
};

/**
 * Runs one statement on the public `TokenService` API, as `actor`, and
 * answers a table. Every rule (who may act FOR USER, policies, the
 * authority of token actors) is the service's: a statement can do exactly
 * what the same service call can.
 *
 * | statement | columns |
 * | --- | --- |
 * | `CREATE … API TOKEN` | `name`, `token` (secret), `expires_at` |
 * | `SHOW … API TOKENS`, `SHOW EXPIRING … API TOKENS` | `name`, `user`, `type`, `status`, `created_at`, `expires_at`, `last_used_at`, `comment`, `grants`, `id`, `enabled`, `meta` (JSON text) |
 * | `ALTER API TOKEN … SET COMMENT` | `name`, `user`, `comment` |
 * | `ALTER API TOKEN … SET META \| UNSET META \| ENABLE \| DISABLE \| RENAME TO \| SET MAX DURATION` | `name`, `user`, `enabled`, `expires_at`, `meta` |
 * | `ALTER API TOKEN … ROTATE` | `name`, `token` (secret), `expires_at`, `grace_ends_at` |
 * | `DROP API TOKEN` | `name`, `user`, `status`, `revoked_at` (no row for `IF EXISTS` and no token) |
 * | `DROP ALL API TOKENS` | `user`, `revoked` (a count) |
 * | `ALTER USER\|ROLE … API TOKEN MAX DURATION` | `user` or `role`, `max_duration` (null when unset) |
 * | `SHOW API TOKEN MAX DURATION` | `source`, `name`, `max_duration`, `effective` |
 * | `SHARE API TOKEN` | `name`, `claim_code` (secret), `expires_at` |
 * | `CLAIM API TOKEN` | `name`, `user`, `token` (secret), `expires_at` |
 * | `SHOW EVENTS FOR API TOKEN` | `at`, `type`, `operation`, `actor`, `detail` (JSON text) |
 *
 * Times are UTC strings like `2026-07-20T09:00:00+00:00`; durations like `'30d'` or `'1mo'`.
 *
 * @param service - a token service (`createTokenService`).
 * @param statement - a statement from `parseStatements`, or one built in code.
 * @param actor - who runs it: `{ tenant, user }`, `{ principal }` or `'system'`.
 * @throws TokenError from the service call (`forbidden`, `not_found`, `duration_exceeds_policy`, `conflict`,
 *   `limit_exceeded`, `insufficient_scope`, `invalid_request`, `unavailable`, …), or `invalid_request` with
 *   `field` `statement.<field>` for a malformed statement or a missing `FOR USER` when the actor is not a user.
 *
 * @example
 * ```ts
 * import { executeStatement, parseStatements } from 'tokenward/sql';
 * for (const statement of parseStatements("CREATE API TOKEN ci_pipeline MAX DURATION '30d'; SHOW API TOKENS;")) {
 *   const { columns, rows } = await executeStatement(tokens, statement, { tenant: 'acme', user: 'alice' });
 * }
 * ```
 */
export async function executeStatement(
  service: TokenService,
  statement: Statement,
  actor: Actor,
  options: ExecuteOptions = {},
): Promise<StatementResult> {
  const checked = checkStatement(statement);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TokenError('invalid_request', 'options must be an object', { field: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (key !== 'tenant')
      throw new TokenError('invalid_request', `options.${key} is not a known option`, { field: `options.${key}` });
  }
  const context: Context = { service, actor, tenant: options.tenant === undefined ? {} : { tenant: options.tenant } };
  const handler = HANDLERS[checked.kind] as Handler<StatementKind>;
  return handler(context, checked as never);
}
