/** @internal `issue`: a new administrative, personal or limited token. */
import type { ResolvedActor } from '../core/actors.js';
import { userGrants } from '../core/authority.js';
import { lookupUser } from '../core/directory.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { randomBase62 } from '../core/encoding.js';
import { invalid, TokenError } from '../core/errors.js';
import { grantSetCovers, intersectGrantSets, parseGrants } from '../core/grants.js';
import { comment as checkComment, expectKeys, identifier, tokenName } from '../core/input.js';
import { resolveLifetime } from '../core/policy.js';
import { toInfo } from '../core/records.js';
import type { DirectoryUser, Grant, StoredTokenType } from '../core/types.js';
import { callTenant, requireAdmin, resolveActor } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { MASTER_NAME } from './master.js';
import { encodeToken, newEvent, newRecord } from './material.js';
import { meterForIssue } from './metering.js';
import { explain } from './policies.js';
import type { Actor, IssuedToken, IssueInput } from './types.js';

const ISSUE_KEYS = ['type', 'tenant', 'owner', 'name', 'ttl', 'comment', 'grants', 'ratelimit', 'remaining', 'refill'];

/** The type asked for; master tokens come only from `ensureMasterToken`. */
function issuedType(value: unknown): Exclude<StoredTokenType, 'master'> {
  const type = (value ?? 'personal') as StoredTokenType;
  if (type === 'master') throw invalid('type', "cannot be 'master': master tokens come from ensureMasterToken");
  if (type !== 'personal' && type !== 'limited' && type !== 'administrative') {
    throw invalid('type', "must be 'personal', 'limited' or 'administrative'");
  }
  return type;
}

/** The owner of the new token and what the directory says of them (null for administrative tokens). */
async function issuedOwner(
  context: ServiceContext,
  who: ResolvedActor,
  tenant: string,
  type: Exclude<StoredTokenType, 'master'>,
  given: unknown,
): Promise<{ owner: string | null; ownerUser: DirectoryUser | null }> {
  if (type === 'administrative') {
    requireAdmin(who, 'create administrative tokens');
    if (given !== undefined) throw invalid('owner', 'must not be set: administrative tokens have no owner');
    return { owner: null, ownerUser: null };
  }
  const owner = given === undefined ? who.user : identifier(given, 'owner');
  if (owner === null) throw invalid('owner', 'is required when the actor is not a user');
  if (owner !== who.user && !who.admin) {
    throw new TokenError('forbidden', 'only administrators may create tokens for other users');
  }
  const ownerUser = await lookupUser(context.directory, tenant, owner);
  if (ownerUser === null) throw new TokenError('not_found', 'the owner is unknown or inactive');
  return { owner, ownerUser };
}

/** The grants asked for, never more than the creator and the owner may do (limited tokens: none by default). */
function issuedGrants(
  who: ResolvedActor,
  type: Exclude<StoredTokenType, 'master'>,
  ownerUser: DirectoryUser | null,
  given: unknown,
): Grant[] | null {
  let grants: Grant[] | null = given === undefined ? null : parseGrants(given);
  if (type === 'limited') grants ??= []; // limited tokens give no access unless granted
  if (grants !== null) {
    // A token never carries more than its creator may do, nor more than its owner may do.
    const ceiling = ownerUser === null ? who.grants : intersectGrantSets(who.grants, userGrants(ownerUser));
    if (!grantSetCovers(ceiling, grants)) {
      throw new TokenError('insufficient_scope', 'grants exceed what the creator and owner may do', {
        field: 'grants',
      });
    }
  }
  return grants;
}

/** See `TokenService.issue`. */
export async function issue(context: ServiceContext, input: IssueInput, actor: Actor): Promise<IssuedToken> {
  const { settings } = context;
  const fields = expectKeys(input, 'input', ISSUE_KEYS);
  const who = await resolveActor(context, actor);
  const tenant = callTenant(who, fields.tenant);
  const type = issuedType(fields.type);
  if (!who.mayIssue) throw new TokenError('forbidden', 'only master tokens can create tokens');
  if (settings.creation === 'admins' && !who.admin) {
    throw new TokenError('forbidden', 'only administrators may create tokens');
  }
  const { owner, ownerUser } = await issuedOwner(context, who, tenant, type, fields.owner);
  const grants = issuedGrants(who, type, ownerUser, fields.grants);

  const limit = await explain(context, tenant, owner, ownerUser?.roles ?? []);
  const requested = fields.ttl === undefined || fields.ttl === null ? fields.ttl : parseDuration(fields.ttl, 'ttl');
  const lifetime = resolveLifetime(requested, limit, settings);
  const name = fields.name === undefined ? generatedName(context) : tokenName(fields.name);
  if (owner !== null && name === MASTER_NAME) throw invalid('name', "is reserved for the user's master token");
  const createdAt = context.now();
  const meter = meterForIssue(context, fields, createdAt);
  const { record, secret } = newRecord(
    context,
    {
      tenant,
      type,
      owner,
      name,
      comment: fields.comment === undefined ? '' : checkComment(fields.comment),
      grants,
      expiresAt: lifetime === null ? null : createdAt + lifetime,
      createdBy: who.label,
      meter,
    },
    createdAt,
  );
  const token = await encodeToken(context, record, secret);
  const { maxTokensPerUser } = settings;
  const limits =
    owner !== null && maxTokensPerUser !== undefined
      ? { maxLivePerOwner: maxTokensPerUser, now: createdAt }
      : { now: createdAt };
  const ttl = lifetime === null ? null : formatDuration(lifetime);
  await guarded(
    context.repository.insert(record, limits, newEvent(context, record, 'issued', who.label, { type, ttl })),
  );
  return { token, info: toInfo(record, createdAt) };
}

function generatedName(context: ServiceContext): string {
  return `token-${randomBase62(10, context.random).toLowerCase()}`;
}
