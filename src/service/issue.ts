/** @internal `issue`: a new administrative, personal or limited token. */
import type { ResolvedActor } from '../core/actors.js';
import { userGrants } from '../core/authority.js';
import { lookupUser, userRoles } from '../core/directory.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { randomBase62 } from '../core/encoding.js';
import { invalid, TokenError } from '../core/errors.js';
import { grantSetCovers, intersectGrantSets, parseGrants } from '../core/grants.js';
import { comment as checkComment, expectKeys, flag, identifier, tokenMeta, tokenName } from '../core/input.js';
import { type MaxTtlExplanation, resolveLifetime } from '../core/policy.js';
import { toInfo } from '../core/records.js';
import type { InsertLimits } from '../core/repository.js';
import type { DirectoryUser, Grant, GrantSet, StoredTokenType } from '../core/types.js';
import { callTenant, requireAdmin, resolveActor } from './authority.js';
import type { ServiceContext } from './context.js';
import { fireTokenHook } from './hooks.js';
import { MASTER_NAME } from './master.js';
import { encodeToken, newEvent, newRecord } from './material.js';
import { meterForIssue } from './metering.js';
import { type IssueWrite, insertUnderPolicies } from './policy-cache.js';
import type { Actor, IssuedToken, IssueInput } from './types.js';

const ISSUE_KEYS = [
  'type',
  'tenant',
  'owner',
  'name',
  'ttl',
  'comment',
  'grants',
  'ratelimit',
  'remaining',
  'refill',
  'meta',
  'enabled',
];

/**
 * The type asked for; master tokens come only from `ensureMasterToken`.
 * Without one, a token actor (a master token: the only one that issues)
 * makes a `limited` token, which gives no access unless granted (Keboola,
 * seed 004); a user makes a `personal` one. `at` prefixes the field names
 * of errors (`records[3].` for `importTokens`).
 */
export function issuedType(value: unknown, who: ResolvedActor, at = ''): Exclude<StoredTokenType, 'master'> {
  const type = (value ?? (who.token === null ? 'personal' : 'limited')) as StoredTokenType;
  if (type === 'master') throw invalid(`${at}type`, "cannot be 'master': master tokens come from ensureMasterToken");
  if (type !== 'personal' && type !== 'limited' && type !== 'administrative') {
    throw invalid(`${at}type`, "must be 'personal', 'limited' or 'administrative'");
  }
  return type;
}

/** The owner of the new token and what the directory says of them (null for administrative tokens). */
export async function issuedOwner(
  context: ServiceContext,
  who: ResolvedActor,
  tenant: string,
  type: Exclude<StoredTokenType, 'master'>,
  given: unknown,
  at = '',
): Promise<{ owner: string | null; ownerUser: DirectoryUser | null }> {
  if (type === 'administrative') {
    requireAdmin(who, 'create administrative tokens');
    if (given !== undefined) throw invalid(`${at}owner`, 'must not be set: administrative tokens have no owner');
    return { owner: null, ownerUser: null };
  }
  const owner = given === undefined ? who.user : identifier(given, `${at}owner`);
  if (owner === null) throw invalid(`${at}owner`, 'is required when the actor is not a user');
  if (owner !== who.user && !who.admin) {
    throw new TokenError('forbidden', 'only administrators may create tokens for other users');
  }
  const ownerUser = await lookupUser(context.directory, tenant, owner);
  if (ownerUser === null) throw new TokenError('not_found', 'the owner is unknown or inactive');
  return { owner, ownerUser };
}

/**
 * Refuses grants beyond what the actor may do, or the owner (null: a token
 * without owner) may do now: a token never carries more than either.
 *
 * @throws {TokenError} `insufficient_scope` naming `field`.
 */
export function checkGrantCeiling(
  who: ResolvedActor,
  ownerUser: DirectoryUser | null,
  grants: GrantSet,
  field: string,
): void {
  const ceiling = ownerUser === null ? who.grants : intersectGrantSets(who.grants, userGrants(ownerUser));
  if (!grantSetCovers(ceiling, grants)) {
    throw new TokenError('insufficient_scope', 'grants exceed what the actor and owner may do', { field });
  }
}

/** The grants asked for, never more than the creator and the owner may do (limited tokens: none by default). */
export function issuedGrants(
  who: ResolvedActor,
  type: Exclude<StoredTokenType, 'master'>,
  ownerUser: DirectoryUser | null,
  given: unknown,
  at = '',
): Grant[] | null {
  let grants: Grant[] | null = given === undefined ? null : parseGrants(given, `${at}grants`);
  if (type === 'limited') grants ??= []; // limited tokens give no access unless granted
  if (grants !== null) checkGrantCeiling(who, ownerUser, grants, `${at}grants`);
  return grants;
}

/** See `TokenService.issue`. */
export async function issue(context: ServiceContext, input: IssueInput, actor: Actor): Promise<IssuedToken> {
  const { settings } = context;
  const fields = expectKeys(input, 'input', ISSUE_KEYS);
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, fields.tenant);
  const type = issuedType(fields.type, who);
  const meta = fields.meta === undefined ? null : tokenMeta(fields.meta);
  const enabled = flag(fields.enabled, 'enabled', true);
  mayCreate(context, who);
  const { owner, ownerUser } = await issuedOwner(context, who, tenant, type, fields.owner);
  const grants = issuedGrants(who, type, ownerUser, fields.grants);

  const requested = fields.ttl === undefined || fields.ttl === null ? fields.ttl : parseDuration(fields.ttl, 'ttl');
  const name = fields.name === undefined ? generatedName(context) : ownedName(fields.name, owner);
  const comment = fields.comment === undefined ? '' : checkComment(fields.comment);
  const createdAt = context.now();
  const meter = meterForIssue(context, fields, createdAt);
  let token = '';
  // Decided under the owner's policies; decided again if the policies kept were stale (policy-cache.ts).
  const decide = async (limit: MaxTtlExplanation): Promise<IssueWrite> => {
    const lifetime = resolveLifetime(requested, limit, settings);
    const expiresAt = lifetime === null ? null : createdAt + lifetime;
    const fresh = { tenant, type, owner, name, comment, grants, expiresAt, createdBy: who.label, meter, meta, enabled };
    const { record, secret } = newRecord(context, fresh, createdAt);
    token = await encodeToken(context, record, secret);
    const ttl = lifetime === null ? null : formatDuration(lifetime);
    const event = newEvent(context, record, 'issued', who.label, { type, ttl });
    return { record, limits: insertLimits(context, owner, createdAt), event };
  };
  const { record } = await insertUnderPolicies(context, tenant, owner, userRoles(ownerUser), decide);
  fireTokenHook(context, 'onIssued', record, who.label);
  return { token, info: toInfo(record, createdAt) };
}

/** Refuses actors that may not create tokens (issue and import alike). */
export function mayCreate(context: ServiceContext, who: ResolvedActor): void {
  if (!who.mayIssue) throw new TokenError('forbidden', 'only master tokens can create tokens');
  if (context.settings.creation === 'admins' && !who.admin) {
    throw new TokenError('forbidden', 'only administrators may create tokens');
  }
}

/** The limits a new token of `owner` is inserted under: the per-user cap, for owned tokens. */
export function insertLimits(context: ServiceContext, owner: string | null, now: number): InsertLimits {
  const { maxTokensPerUser } = context.settings;
  return owner !== null && maxTokensPerUser !== undefined ? { maxLivePerOwner: maxTokensPerUser, now } : { now };
}

/** A name given for a token of `owner`: a valid name, and not `master` for an owned token. */
export function ownedName(value: unknown, owner: string | null, field = 'name'): string {
  const name = tokenName(value, field);
  if (owner !== null && name === MASTER_NAME) throw invalid(field, "is reserved for the user's master token");
  return name;
}

/** A name for a token issued without one. */
export function generatedName(context: ServiceContext): string {
  return `token-${randomBase62(10, context.random).toLowerCase()}`;
}
