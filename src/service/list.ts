/** @internal `list` and `get`. */

import type { ResolvedActor } from '../core/actors.js';
import { parseDuration } from '../core/duration.js';
import { invalid } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import { required } from '../core/options.js';
import { toInfo } from '../core/records.js';
import type { StoredTokenType, TokenInfo } from '../core/types.js';
import { callTenant, listing, requireAdmin, resolveActor } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { managed, pageRequest } from './lookup.js';
import type { Actor, ExpiringFilter, ListFilter, Page, TokenRef } from './types.js';

const LIST_KEYS = ['tenant', 'owner', 'all', 'types', 'hideExpired', 'hideRevoked', 'limit', 'cursor'];
const STORED_TYPES: readonly StoredTokenType[] = ['administrative', 'personal', 'master', 'limited'];

/** How many repository pages one filtered page may read before it is returned short. */
const MAX_PAGE_READS = 8;

/** See `TokenService.list`. */
export async function list(context: ServiceContext, filter: ListFilter, actor: Actor): Promise<Page<TokenInfo>> {
  return listed(context, expectKeys(filter, 'filter', LIST_KEYS), actor);
}

/** See `TokenService.listExpiring`: `list`'s live tokens that expire within `within`, soonest first. */
export async function listExpiring(
  context: ServiceContext,
  filter: ExpiringFilter,
  actor: Actor,
): Promise<Page<TokenInfo>> {
  const fields = expectKeys(filter, 'filter', [...LIST_KEYS.filter((key) => !key.startsWith('hide')), 'within']);
  const within = parseDuration(required(fields.within, 'filter.within'), 'filter.within');
  return listed(context, fields, actor, within);
}

/** A page of a listing; with `within`, only live tokens that expire within it, soonest first. */
async function listed(
  context: ServiceContext,
  fields: Record<string, unknown>,
  actor: Actor,
  within?: number,
): Promise<Page<TokenInfo>> {
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, fields.tenant);
  const owner = listedOwner(who, fields);
  const visible = listing(context, who, owner);
  const types = fields.types === undefined ? undefined : parseTypes(fields.types);
  const page = pageRequest(fields, 'filter');
  const at = context.now();
  const found = await filteredPage(
    (size, cursor) =>
      guarded(
        context.repository.list({
          tenant,
          ...(owner === undefined ? {} : { owner }),
          ...(types === undefined ? {} : { types }),
          includeExpired: within === undefined && fields.hideExpired === false,
          includeRevoked: within === undefined && fields.hideRevoked === false,
          now: at,
          limit: size,
          cursor,
          ...(within === undefined ? {} : { expiringBy: at + within }),
        }),
      ),
    visible,
    page.limit,
    page.cursor,
  );
  return { items: found.items.map((record) => toInfo(record, at)), nextCursor: found.nextCursor };
}

/**
 * Whose tokens a listing shows: undefined for every token of the tenant
 * (`all`), null for tokens without owner, else a user. Roots need admin
 * rights beyond their own tokens; a token actor's reach is the table's.
 */
function listedOwner(who: ResolvedActor, fields: Record<string, unknown>): string | null | undefined {
  const requireReach = (what: string): void => {
    if (who.token === null) requireAdmin(who, what);
  };
  if (fields.all === true) {
    requireReach('list every token');
    if (fields.owner !== undefined) throw invalid('filter.owner', 'cannot be combined with all');
    return undefined;
  }
  const owner =
    fields.owner === undefined ? who.user : fields.owner === null ? null : identifier(fields.owner, 'filter.owner');
  if (owner === null && fields.owner === undefined) {
    throw invalid('filter.owner', 'is required when the actor is not a user');
  }
  if (owner !== who.user) requireReach("list other users' tokens");
  return owner;
}

function parseTypes(value: unknown): StoredTokenType[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((type) => STORED_TYPES.includes(type as StoredTokenType))
  ) {
    throw invalid('filter.types', `must be a non-empty list of ${STORED_TYPES.join(', ')}`);
  }
  return value as StoredTokenType[];
}

/**
 * One page of a listing that leaves out tokens `keep` refuses (a token
 * actor's listing shows only what it may read). Refilled from the
 * repository, so a page holds fewer than `limit` items only at the end or
 * after `MAX_PAGE_READS` reads; `nextCursor` is the repository's own, so
 * paging on never skips or repeats a token.
 */
export async function filteredPage<T>(
  read: (limit: number, cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
  keep: (item: T) => Promise<boolean>,
  limit: number,
  cursor: string | null,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const items: T[] = [];
  let next = cursor;
  for (let reads = 0; reads < MAX_PAGE_READS; reads++) {
    const page = await read(limit - items.length, next);
    for (const item of page.items) if (await keep(item)) items.push(item);
    next = page.nextCursor;
    if (next === null || items.length === limit) break;
  }
  return { items, nextCursor: next };
}

/** See `TokenService.get`. */
export async function get(context: ServiceContext, ref: TokenRef, actor: Actor): Promise<TokenInfo> {
  const { record } = await managed(context, ref, actor, 'read');
  return toInfo(record, context.now());
}
