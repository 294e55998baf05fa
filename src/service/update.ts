/**
 * @internal `update`: a token's name, comment, meta, enabled flag, grants
 * and expiry changed in place (issue 13; Keboola: "token details can be
 * updated anytime"), under the actor × call table: a change follows the
 * comment column, and one that widens the grants or the lifetime also
 * needs the rotate column (docs/concepts.md). Grants never exceed what the
 * actor and the owner may do; a new expiry is counted from now, within the
 * effective duration policy; a token actor never leaves a token beyond its
 * own authority. One `updated` event per change, naming the fields.
 */

import type { ResolvedActor } from '../core/actors.js';
import { userGrants } from '../core/authority.js';
import { lookupUser } from '../core/directory.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { invalid, TokenError } from '../core/errors.js';
import { grantSetCovers, parseGrants } from '../core/grants.js';
import { comment as checkComment, expectKeys, flag, tokenMeta } from '../core/input.js';
import { resolveLifetime } from '../core/policy.js';
import { isLive, toInfo } from '../core/records.js';
import type { RecordChange } from '../core/repository.js';
import type { DirectoryUser, Grant, TokenInfo, TokenMeta, TokenRecord } from '../core/types.js';
import { authorize, keepsWithin } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { callHook, tokenHookEvent } from './hooks.js';
import { checkGrantCeiling, ownedName } from './issue.js';
import { managed } from './lookup.js';
import { newEvent } from './material.js';
import { explain } from './policies.js';
import type { Actor, TokenPatch, TokenRef } from './types.js';

const PATCH_KEYS = ['name', 'comment', 'meta', 'enabled', 'grants', 'ttl'];

/** How often a change is tried again when another change to the token wins the compare-and-set. */
const ATTEMPTS = 5;

/** A patch with every field checked; `ttl` in milliseconds (null: no expiry). */
interface CheckedPatch {
  readonly name?: unknown;
  readonly comment?: string;
  readonly meta?: TokenMeta | null;
  readonly enabled?: boolean;
  readonly grants?: Grant[] | null;
  readonly ttl?: number | null;
}

/** Checks what can be checked without the token. @throws {TokenError} `invalid_request` naming `patch.<field>`. */
function checkedPatch(patch: unknown): CheckedPatch {
  const fields = expectKeys(patch, 'patch', PATCH_KEYS);
  const present = PATCH_KEYS.filter((key) => fields[key] !== undefined);
  if (present.length === 0) throw invalid('patch', `must change at least one of ${PATCH_KEYS.join(', ')}`);
  const { name, comment, meta, enabled, grants, ttl } = fields;
  return {
    ...(name === undefined ? {} : { name }),
    ...(comment === undefined ? {} : { comment: checkComment(comment, 'patch.comment') }),
    ...(meta === undefined ? {} : { meta: tokenMeta(meta, 'patch.meta') }),
    ...(enabled === undefined ? {} : { enabled: flag(enabled, 'patch.enabled', true) }),
    ...(grants === undefined ? {} : { grants: grants === null ? null : parseGrants(grants, 'patch.grants') }),
    ...(ttl === undefined ? {} : { ttl: ttl === null ? null : parseDuration(ttl, 'patch.ttl') }),
  };
}

/** What one attempt writes: the change, the names of the fields it changes, and whether it widens. */
interface Plan {
  readonly change: RecordChange;
  readonly fields: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly widens: boolean;
}

/** The owner of `record` as the directory answers now (null for tokens without owner). */
async function ownerNow(context: ServiceContext, record: TokenRecord): Promise<DirectoryUser | null> {
  if (record.owner === null) return null;
  const found = await lookupUser(context.directory, record.tenant, record.owner);
  if (found === null) throw new TokenError('not_found', 'the owner is unknown or inactive');
  return found;
}

/** New grants: within the actor's and the owner's, never null for a limited token. */
function plannedGrants(who: ResolvedActor, record: TokenRecord, owner: DirectoryUser | null, grants: Grant[] | null) {
  if (grants === null && record.type === 'limited') {
    throw invalid('patch.grants', 'cannot be null for a limited token: it has exactly its grants');
  }
  // Without narrowing a token follows its owner's live privileges (a token without owner: everything).
  const effective = grants ?? (owner === null ? 'all' : userGrants(owner));
  checkGrantCeiling(who, owner, effective, 'patch.grants');
  return { grants, widens: !grantSetCovers(record.grants ?? 'all', grants ?? 'all') };
}

/** A new expiry from now, within the effective maximum; extending it widens. */
async function plannedExpiry(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  ttl: number | null,
  now: number,
) {
  if (!isLive(record, now)) throw new TokenError('conflict', 'an expired token cannot be given a new lifetime');
  const limit = await explain(context, record.tenant, record.owner, owner?.roles ?? []);
  const lifetime = resolveLifetime(ttl, limit, context.settings, 'patch.ttl');
  const expiresAt = lifetime === null ? null : now + lifetime;
  const widens = record.expiresAt !== null && (expiresAt === null || expiresAt > record.expiresAt);
  // A signed expiry (a JWT's exp) outlives no stored change: a later expiry would be reported but
  // never honoured, so it is refused; an earlier one is honoured, as verification checks the record.
  if (context.format.signsExpiry === true && (widens || record.expiresAt === null)) {
    throw invalid(
      'patch.ttl',
      "cannot extend this token: its expiry is signed into the token string (a JWT's exp); issue a new token for a longer lifetime",
    );
  }
  return { expiresAt, ttl: lifetime === null ? null : formatDuration(lifetime), widens };
}

/** Decides one attempt's change from the token as it is now. */
async function plan(context: ServiceContext, who: ResolvedActor, record: TokenRecord, patch: CheckedPatch) {
  const change: Record<string, unknown> = {};
  const detail: Record<string, unknown> = {};
  let widens = false;
  const set = (field: keyof RecordChange, value: unknown, shown?: unknown): void => {
    change[field] = value;
    if (shown !== undefined) detail[field] = shown;
  };
  if (patch.name !== undefined) {
    const name = ownedName(patch.name, record.owner, 'patch.name');
    if (name !== record.name) set('name', name, name);
  }
  if (patch.comment !== undefined && patch.comment !== record.comment) set('comment', patch.comment);
  if (patch.meta !== undefined && JSON.stringify(patch.meta) !== JSON.stringify(record.meta)) set('meta', patch.meta);
  if (patch.enabled !== undefined && patch.enabled !== record.enabled) set('enabled', patch.enabled, patch.enabled);
  if (patch.grants !== undefined || patch.ttl !== undefined) {
    const owner = await ownerNow(context, record);
    if (patch.grants !== undefined) {
      const planned = plannedGrants(who, record, owner, patch.grants);
      if (JSON.stringify(planned.grants) !== JSON.stringify(record.grants))
        set('grants', planned.grants, planned.grants);
      widens ||= planned.widens;
    }
    if (patch.ttl !== undefined) {
      const planned = await plannedExpiry(context, record, owner, patch.ttl, context.now());
      set('expiresAt', planned.expiresAt);
      detail.ttl = planned.ttl;
      widens ||= planned.widens;
    }
  }
  return { change: change as RecordChange, fields: Object.keys(change), detail, widens } satisfies Plan;
}

/** The actor may make this change: rotate's column to widen, and a result within a token actor. */
async function allowed(context: ServiceContext, who: ResolvedActor, record: TokenRecord, planned: Plan) {
  if (planned.widens) await authorize(context, who, record, 'rotate');
  if (!(await keepsWithin(context, who, { ...record, ...planned.change }))) {
    throw new TokenError('forbidden', 'this token may not take a token beyond its own authority');
  }
}

/**
 * The event of one change: `updated`, naming the fields; a change of the
 * comment alone is `comment_updated`, as `updateComment` writes it, so a
 * token's history reads the same whichever call (or route) changed it.
 */
function changeEvent(context: ServiceContext, record: TokenRecord, actor: string, planned: Plan) {
  if (planned.fields.length === 1 && planned.fields[0] === 'comment') {
    return newEvent(context, record, 'comment_updated', actor);
  }
  return newEvent(context, record, 'updated', actor, { fields: planned.fields, ...planned.detail });
}

/** See `TokenService.update`. */
export async function update(
  context: ServiceContext,
  ref: TokenRef,
  patch: TokenPatch,
  actor: Actor,
): Promise<TokenInfo> {
  const checked = checkedPatch(patch);
  const { record, who } = await managed(context, ref, actor, 'comment');
  if (record.type === 'master') throw new TokenError('forbidden', 'master tokens cannot be modified');
  let current: TokenRecord | null = record;
  // Every attempt decides again from the token as it is now: a concurrent change may alter the verdict.
  for (let attempt = 0; attempt < ATTEMPTS && current !== null; attempt++) {
    if (current.revokedAt !== null) throw new TokenError('conflict', 'a revoked token cannot be changed');
    const planned = await plan(context, who, current, checked);
    if (planned.fields.length === 0) return toInfo(current, context.now());
    await allowed(context, who, current, planned);
    const event = changeEvent(context, current, who.label, planned);
    const updated = await guarded(context.repository.update(current.id, current.version, planned.change, event));
    if (updated !== null) {
      void callHook(context, 'onUpdated', () => ({
        ...tokenHookEvent(context, updated, who.label),
        fields: planned.fields,
      }));
      return toInfo(updated, context.now());
    }
    current = await guarded(context.repository.findById(record.id));
  }
  if (current === null) throw new TokenError('not_found', 'token not found');
  throw new TokenError('conflict', 'the token was changed concurrently; try again');
}
