import type { TargetedCall } from '../core/access.js';
import {
  callTenant,
  isActiveUser,
  lookupUser,
  type ResolvedActor,
  requireAdmin,
  resolveActor,
} from '../core/actors.js';
import { effectiveGrants, userGrants } from '../core/authority.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { constantTimeEqual, randomBase62 } from '../core/encoding.js';
import { TokenError } from '../core/errors.js';
import { opaqueFormat, SECRET_LENGTH } from '../core/format.js';
import { grantSetCovers, intersectGrantSets, parseGrants } from '../core/grants.js';
import { createIdFactory } from '../core/ids.js';
import {
  type CanonicalRef,
  comment as checkComment,
  expectKeys,
  identifier,
  invalid,
  tokenName,
  tokenRef,
} from '../core/input.js';
import { type ApplicablePolicy, resolveLifetime, resolveMaxTtl } from '../core/policy.js';
import { brandOf, createPrincipal, type PrincipalFields } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { claimsAgree, earlierExpiry, isLive, toInfo } from '../core/records.js';
import { jsonObject, labelText } from '../core/text.js';
import type {
  DirectoryUser,
  Grant,
  StoredTokenType,
  TokenEvent,
  TokenEventType,
  TokenInfo,
  TokenRecord,
} from '../core/types.js';
import { createAuthorizer, filteredPage } from './authority.js';
import { MAX_TOKEN_LENGTH, serviceSettings, type VerificationEntry } from './options.js';
import { createUseRecorder } from './touch.js';
import type {
  Actor,
  Duration,
  EnsureMasterResult,
  EventsOptions,
  IssuedToken,
  IssueInput,
  ListFilter,
  MaxTtlExplanation,
  Page,
  PolicyTarget,
  RotateOptions,
  SessionClaims,
  SessionToken,
  ShareOptions,
  ShareResult,
  TokenRef,
  TokenService,
  TokenServiceOptions,
  VerifyOptions,
} from './types.js';

const MAX_DETAIL_BYTES = 4096;
const CLAIM_CODE_LENGTH = 40;

/**
 * Any failure that is not already a `TokenError` is a storage or directory
 * outage: report `unavailable` and never proceed as if it had worked.
 */
async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError('unavailable', 'token storage is unavailable', { cause: error });
  }
}

function tokenInvalid(): TokenError {
  return new TokenError('token_invalid', 'the token is invalid');
}

/**
 * Creates the token service: issue, verify, rotate, share, revoke and audit
 * tokens on the given repository.
 *
 * Every option is checked here, once: a bad one, an unknown key, or a
 * combination that could accept no token at all (`enablePersonalTokens:
 * false` with `personalTokensOnly: true`, or without any verification
 * token) throws `TokenError('invalid_request')` whose `details.field` names
 * the option (docs/errors.md, "Bad configuration").
 *
 * @throws {TokenError} `invalid_request` for bad configuration.
 * @example
 * ```ts
 * import { createTokenService, memoryRepository, staticDirectory } from 'tokenward';
 * const tokens = createTokenService({
 *   repository: memoryRepository(),
 *   pepper: process.env.TOKEN_PEPPER!,
 *   prefix: 'acme',
 *   directory: staticDirectory({ acme: { alice: { admin: true } } }),
 * });
 * const { token } = await tokens.issue({ name: 'ci' }, { tenant: 'acme', user: 'alice' });
 * const principal = await tokens.verify(token);
 * ```
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const {
    repository,
    directory,
    now,
    random,
    peppers,
    prefix,
    format: givenFormat,
    ceiling,
    defaultTtl,
    allowNoExpiry,
    purgeAfter,
    eventRetention,
    claimTtl,
    maxTokensPerUser,
    creation,
    touchInterval,
    enablePersonalTokens,
    personalTokensOnly,
    verificationTokens,
    sessions,
  } = serviceSettings(options);
  const format = givenFormat ?? opaqueFormat(prefix);
  const nextId = createIdFactory(random, now);
  // Read only once `exchange` has found sessions configured.
  const sessionDefaultTtl = sessions?.defaultTtl ?? 0;
  const sessionMaxTtl = sessions?.maxTtl ?? 0;

  /** Marks the principals this service made; only these are accepted as `{ principal }` actors. */
  const serviceBrand: object = Object.freeze({});
  const madeHere = (value: unknown): boolean => brandOf(value) === serviceBrand;
  /** Last-used writes, batched off the verification path (src/service/touch.ts). */
  const uses = createUseRecorder(repository, touchInterval);

  const newSecret = (): string => randomBase62(SECRET_LENGTH, random);

  /** A new token's record with a fresh secret; only the secret's keyed hash goes into it. */
  const newRecord = (
    fields: Pick<TokenRecord, 'tenant' | 'type' | 'owner' | 'name' | 'comment' | 'grants' | 'expiresAt' | 'createdBy'>,
    createdAt: number,
  ): { record: TokenRecord; secret: string } => {
    const secret = newSecret();
    const record: TokenRecord = {
      id: nextId(),
      ...fields,
      secretHash: peppers.hash(secret, peppers.current)!,
      pepperVersion: peppers.current,
      previousSecretHash: null,
      previousPepperVersion: null,
      previousExpiresAt: null,
      createdAt,
      revokedAt: null,
      rotatedAt: null,
      lastUsedAt: null,
      version: 1,
    };
    return { record, secret };
  };

  const event = (
    record: Pick<TokenRecord, 'id' | 'tenant'>,
    type: TokenEventType,
    actor: string,
    detail: Readonly<Record<string, unknown>> | null = null,
    operation: string = type,
  ): TokenEvent => ({
    id: nextId(),
    tokenId: record.id,
    tenant: record.tenant,
    type,
    actor,
    operation,
    detail,
    at: now(),
  });

  const encode = async (record: TokenRecord, secret: string): Promise<string> =>
    format.encode({
      id: record.id,
      secret,
      type: record.type,
      tenant: record.tenant,
      owner: record.owner,
      issuedAt: record.rotatedAt ?? record.createdAt,
      expiresAt: record.expiresAt,
    });

  // ---------------------------------------------------------------- policies

  const explain = async (tenant: string, user: string | null, roles: readonly string[]): Promise<MaxTtlExplanation> => {
    if (user === null) return resolveMaxTtl([], ceiling);
    const policies = await guarded(repository.policiesFor(tenant, user, roles));
    const applicable: ApplicablePolicy[] = policies.map((found) => ({
      source: { kind: found.subject.kind, name: found.subject.name },
      maxTtl: found.maxTtl,
    }));
    return resolveMaxTtl(applicable, ceiling);
  };

  const requestedTtl = (ttl: unknown): number | null | undefined => {
    if (ttl === undefined || ttl === null) return ttl;
    return parseDuration(ttl, 'ttl');
  };

  // --------------------------------------------------------------- lookups

  const authorizer = createAuthorizer({
    repository,
    directory,
    now,
    currentOwner: (record) => currentOwner(record),
    guarded,
  });
  /** Who acts; a token actor is read as it is now (issue 8: its authority at this moment decides). */
  const resolve = (actor: Actor): Promise<ResolvedActor> =>
    resolveActor(actor, directory, madeHere, authorizer.loadToken);

  const findRecord = async (ref: CanonicalRef, actor: ResolvedActor, call: TargetedCall): Promise<TokenRecord> => {
    let record: TokenRecord | null;
    if ('id' in ref) {
      record = await guarded(repository.findById(ref.id));
    } else {
      const tenant = callTenant(actor, ref.tenant, 'ref.tenant');
      record = await guarded(repository.findByName(tenant, ref.owner, ref.name));
      // A name stored before names were normalized is still found by the spelling it was stored in.
      if (record === null && ref.spelled !== undefined) {
        record = await guarded(repository.findByName(tenant, ref.owner, ref.spelled));
      }
    }
    if (record === null) throw new TokenError('not_found', 'token not found');
    await authorizer.authorize(actor, record, call);
    return record;
  };

  const managed = async (
    ref: TokenRef,
    actor: Actor,
    call: TargetedCall,
  ): Promise<{ record: TokenRecord; who: ResolvedActor }> => {
    const canonical = tokenRef(ref);
    const who = await resolve(actor);
    return { record: await findRecord(canonical, who, call), who };
  };

  // ---------------------------------------------------------------- issue

  const generatedName = (): string => `token-${randomBase62(10, random).toLowerCase()}`;

  /**
   * Every master token is called this. It is reserved in each user's
   * namespace, so a user's own token can never share its name with the
   * master that `ensureMasterToken` may create later (names are unique per owner).
   */
  const MASTER_NAME = 'master';

  const issue = async (input: IssueInput, actor: Actor): Promise<IssuedToken> => {
    const fields = expectKeys(input, 'input', ['type', 'tenant', 'owner', 'name', 'ttl', 'comment', 'grants']);
    const who = await resolve(actor);
    const tenant = callTenant(who, fields.tenant);
    const type = (fields.type ?? 'personal') as StoredTokenType;
    if (type === 'master') throw invalid('type', "cannot be 'master': master tokens come from ensureMasterToken");
    if (type !== 'personal' && type !== 'limited' && type !== 'administrative') {
      throw invalid('type', "must be 'personal', 'limited' or 'administrative'");
    }
    if (!who.mayIssue) throw new TokenError('forbidden', 'only master tokens can create tokens');
    if (creation === 'admins' && !who.admin) throw new TokenError('forbidden', 'only administrators may create tokens');

    let owner: string | null = null;
    let ownerUser: DirectoryUser | null = null;
    if (type === 'administrative') {
      requireAdmin(who, 'create administrative tokens');
      if (fields.owner !== undefined) throw invalid('owner', 'must not be set: administrative tokens have no owner');
    } else {
      owner = fields.owner === undefined ? who.user : identifier(fields.owner, 'owner');
      if (owner === null) throw invalid('owner', 'is required when the actor is not a user');
      if (owner !== who.user && !who.admin) {
        throw new TokenError('forbidden', 'only administrators may create tokens for other users');
      }
      ownerUser = await lookupUser(directory, tenant, owner);
      if (ownerUser === null) throw new TokenError('not_found', 'the owner is unknown or inactive');
    }

    let grants: Grant[] | null = fields.grants === undefined ? null : parseGrants(fields.grants);
    if (type === 'limited') grants ??= []; // limited tokens give no access unless granted
    if (grants !== null) {
      // A token never carries more than its creator may do, nor more than its owner may do.
      const ceilingGrants = ownerUser === null ? who.grants : intersectGrantSets(who.grants, userGrants(ownerUser));
      if (!grantSetCovers(ceilingGrants, grants)) {
        throw new TokenError('insufficient_scope', 'grants exceed what the creator and owner may do', {
          field: 'grants',
        });
      }
    }

    const limit = await explain(tenant, owner, ownerUser?.roles ?? []);
    const lifetime = resolveLifetime(requestedTtl(fields.ttl), limit, { defaultTtl, allowNoExpiry });
    const name = fields.name === undefined ? generatedName() : tokenName(fields.name);
    if (owner !== null && name === MASTER_NAME) throw invalid('name', "is reserved for the user's master token");
    const createdAt = now();
    const { record, secret } = newRecord(
      {
        tenant,
        type,
        owner,
        name,
        comment: fields.comment === undefined ? '' : checkComment(fields.comment),
        grants,
        expiresAt: lifetime === null ? null : createdAt + lifetime,
        createdBy: who.label,
      },
      createdAt,
    );
    const token = await encode(record, secret);
    const limits =
      owner !== null && maxTokensPerUser !== undefined
        ? { maxLivePerOwner: maxTokensPerUser, now: createdAt }
        : { now: createdAt };
    await guarded(
      repository.insert(
        record,
        limits,
        event(record, 'issued', who.label, { type, ttl: lifetime === null ? null : formatDuration(lifetime) }),
      ),
    );
    return { token, info: toInfo(record, createdAt) };
  };

  // ---------------------------------------------------------------- verify

  const verifyStatic = (token: string): Principal => {
    if (personalTokensOnly || verificationTokens.length === 0) throw tokenInvalid();
    const hash = peppers.hash(token, peppers.current)!;
    let match: VerificationEntry | undefined;
    // Compare against every entry so timing does not reveal which one matched.
    for (const entry of verificationTokens) if (constantTimeEqual(entry.hash, hash)) match = entry;
    if (match === undefined) throw tokenInvalid();
    return createPrincipal(
      {
        tokenId: `verification:${match.name}`,
        type: 'verification',
        tenant: match.tenant,
        owner: null,
        name: match.name,
        grants: 'all',
        ownerIsAdmin: false,
        expiresAt: null,
      },
      serviceBrand,
    );
  };

  const secretMatches = (record: TokenRecord, secret: string, at: number): boolean => {
    if (peppers.matches(secret, record.pepperVersion, record.secretHash)) return true;
    return (
      record.previousSecretHash !== null &&
      record.previousPepperVersion !== null &&
      record.previousExpiresAt !== null &&
      record.previousExpiresAt > at &&
      peppers.matches(secret, record.previousPepperVersion, record.previousSecretHash)
    );
  };

  /**
   * The owner as the directory sees them now, without an extra await when
   * the directory answers synchronously (the common case on the hot path).
   * Failures surface as thrown errors, which `verify` turns into `unavailable`.
   */
  const currentOwner = (record: TokenRecord): DirectoryUser | null | Promise<DirectoryUser | null> => {
    if (record.owner === null) return null;
    if (directory === undefined) throw new TokenError('unavailable', 'no directory is configured');
    const answer = directory.getUser(record.tenant, record.owner);
    const live = (user: DirectoryUser | null | undefined): DirectoryUser | null => {
      // An owner who is gone or inactive takes their tokens with them.
      if (!isActiveUser(user)) throw tokenInvalid();
      return user;
    };
    return answer instanceof Promise ? answer.then(live) : live(answer);
  };

  /** The principal of a live stored token, with its owner's privileges as they are now. */
  const principalFor = (
    record: TokenRecord,
    owner: DirectoryUser | null,
    at: number,
    session?: { readonly id: string; readonly expiresAt: Date },
    stringExpiresAt?: number,
  ): Principal => {
    if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
    // The stricter of the record's expiry and the string's own (a JWT's `exp`) governs.
    const expiresAt = earlierExpiry(record.expiresAt, stringExpiresAt ?? null);
    if (expiresAt !== null && expiresAt <= at) throw new TokenError('token_expired', 'the token has expired');
    const grants = effectiveGrants(record, owner);
    const fields: PrincipalFields = {
      tokenId: record.id,
      type: record.type,
      tenant: record.tenant,
      owner: record.owner,
      name: record.name,
      grants,
      ownerIsAdmin: owner?.admin === true,
      expiresAt: expiresAt === null ? null : new Date(expiresAt),
    };
    return createPrincipal(session === undefined ? fields : { ...fields, session }, serviceBrand);
  };

  const verifySession = async (token: string, at: number): Promise<Principal> => {
    const claims: SessionClaims | null = await sessions!.codec.parse(token);
    if (claims === null) throw tokenInvalid();
    if (claims.expiresAt <= at) throw new TokenError('token_expired', 'the session has expired');
    const parent = await repository.findById(claims.parentId);
    if (parent === null || parent.tenant !== claims.tenant) throw tokenInvalid();
    // A rotation of the parent ends every session made from the old secret.
    if (parent.rotatedAt !== claims.parentRotatedAt) throw new TokenError('token_revoked', 'the session has ended');
    const owner = await currentOwner(parent);
    return principalFor(parent, owner, at, { id: claims.sessionId, expiresAt: new Date(claims.expiresAt) });
  };

  /**
   * The hot path. Written to await only what is really asynchronous (the
   * repository lookup; the format and directory only when they return
   * promises), because every await is a trip through the microtask queue.
   */
  const verify = async (token: string, verifyOptions?: VerifyOptions): Promise<Principal> => {
    try {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw tokenInvalid();
      const at = now();
      let principal: Principal;
      if (sessions?.codec.looksLike(token)) {
        if (!enablePersonalTokens) throw tokenInvalid();
        principal = await verifySession(token, at);
      } else {
        const parsing = format.parse(token);
        const parsed = parsing instanceof Promise ? await parsing : parsing;
        if (parsed === null) {
          principal = verifyStatic(token);
        } else {
          if (!enablePersonalTokens) throw tokenInvalid();
          const record = await repository.findById(parsed.id);
          if (record === null || record.type !== parsed.type || !secretMatches(record, parsed.secret, at)) {
            throw tokenInvalid();
          }
          // A string that says another tenant or owner than its record is forged or re-signed (issue 8).
          if (parsed.claims !== undefined && !claimsAgree(record, parsed.claims)) throw tokenInvalid();
          const looking = currentOwner(record);
          const owner = looking instanceof Promise ? await looking : looking;
          principal = principalFor(record, owner, at, undefined, parsed.claims?.expiresAt);
          uses.note(record, at);
        }
      }
      if (verifyOptions?.tenant !== undefined && principal.tenant !== verifyOptions.tenant) throw tokenInvalid();
      return principal;
    } catch (error) {
      if (error instanceof TokenError) throw error;
      // A storage, directory or format failure: whatever went wrong, the answer is never "valid".
      throw new TokenError('unavailable', 'token verification is unavailable', { cause: error });
    }
  };

  // -------------------------------------------------------------- rotation

  /** Replaces the secret with compare-and-set; null when another change won. */
  const replaceSecret = async (
    record: TokenRecord,
    actorLabel: string,
    gracePeriod: number | null,
    eventType: 'rotated' | 'claimed',
  ): Promise<{ token: string; record: TokenRecord } | null> => {
    const secret = newSecret();
    const at = now();
    const graceEnds =
      gracePeriod === null ? null : Math.min(at + gracePeriod, record.expiresAt ?? Number.POSITIVE_INFINITY);
    // The new string is built before anything is stored: a format that refuses
    // this token (a JWT for a token without expiry) fails with the old secret intact.
    const token = await encode({ ...record, rotatedAt: at }, secret);
    const updated = await guarded(
      repository.update(
        record.id,
        record.version,
        {
          secretHash: peppers.hash(secret, peppers.current)!,
          pepperVersion: peppers.current,
          previousSecretHash: graceEnds === null ? null : record.secretHash,
          previousPepperVersion: graceEnds === null ? null : record.pepperVersion,
          previousExpiresAt: graceEnds,
          rotatedAt: at,
        },
        event(
          record,
          eventType,
          actorLabel,
          gracePeriod === null ? null : { gracePeriod: formatDuration(gracePeriod) },
        ),
      ),
    );
    if (updated === null) return null;
    return { token, record: updated };
  };

  const rotate = async (ref: TokenRef, actor: Actor, rotateOptions?: RotateOptions): Promise<IssuedToken> => {
    const fields = expectKeys(rotateOptions, 'options', ['gracePeriod']);
    const gracePeriod = fields.gracePeriod === undefined ? null : parseDuration(fields.gracePeriod, 'gracePeriod');
    const { record, who } = await managed(ref, actor, 'rotate');
    const at = now();
    if (record.revokedAt !== null) throw new TokenError('conflict', 'a revoked token cannot be rotated');
    if (!isLive(record, at)) throw new TokenError('conflict', 'an expired token cannot be rotated');
    const rotated = await replaceSecret(record, who.label, gracePeriod, 'rotated');
    if (rotated === null) throw new TokenError('conflict', 'the token was changed concurrently; try again');
    return { token: rotated.token, info: toInfo(rotated.record, now()) };
  };

  // ------------------------------------------------------------ revocation

  const revoke = async (ref: TokenRef, actor: Actor): Promise<TokenInfo> => {
    const { record, who } = await managed(ref, actor, 'revoke');
    if (record.type === 'master') {
      throw new TokenError('forbidden', 'master tokens cannot be revoked; remove the user from the tenant instead');
    }
    const at = now();
    const revoked = await guarded(repository.revoke(record.id, at, event(record, 'revoked', who.label)));
    // Already revoked: revocation is idempotent, the answer is the token as it stands.
    if (revoked === null) {
      const current = await guarded(repository.findById(record.id));
      if (current === null) throw new TokenError('not_found', 'token not found');
      return toInfo(current, at);
    }
    return toInfo(revoked, at);
  };

  const revokeUser = async (
    target: { readonly tenant?: string; readonly user: string },
    actor: Actor,
    includeMaster: boolean,
  ): Promise<number> => {
    const fields = expectKeys(target, 'target', ['tenant', 'user']);
    const who = await resolve(actor);
    const tenant = callTenant(who, fields.tenant);
    const user = identifier(fields.user, 'target.user');
    authorizer.untargeted(who, includeMaster ? 'removeUser' : 'revokeAll', user);
    if (includeMaster) requireAdmin(who, 'remove users');
    else if (user !== who.user) requireAdmin(who, "revoke other users' tokens");
    const reason = includeMaster ? 'user_removed' : 'revoke_all';
    return guarded(
      repository.revokeOwner(tenant, user, now(), {
        includeMaster,
        event: (record) => event(record, 'revoked', who.label, { reason }),
      }),
    );
  };

  // ------------------------------------------------------------- listing

  const list = async (filter: ListFilter, actor: Actor): Promise<Page<TokenInfo>> => {
    const fields = expectKeys(filter, 'filter', [
      'tenant',
      'owner',
      'all',
      'types',
      'hideExpired',
      'hideRevoked',
      'limit',
      'cursor',
    ]);
    const who = await resolve(actor);
    const tenant = callTenant(who, fields.tenant);
    let owner: string | null | undefined;
    // Roots need admin rights beyond their own tokens; a token actor's reach is the table's.
    const requireReach = (what: string): void => {
      if (who.token === null) requireAdmin(who, what);
    };
    if (fields.all === true) {
      requireReach('list every token');
      if (fields.owner !== undefined) throw invalid('filter.owner', 'cannot be combined with all');
      owner = undefined;
    } else {
      owner =
        fields.owner === undefined ? who.user : fields.owner === null ? null : identifier(fields.owner, 'filter.owner');
      if (owner === null && fields.owner === undefined)
        throw invalid('filter.owner', 'is required when the actor is not a user');
      if (owner !== who.user) requireReach("list other users' tokens");
    }
    const visible = authorizer.listing(who, owner);
    const types = fields.types === undefined ? undefined : parseTypes(fields.types);
    const limit = fields.limit === undefined ? 100 : fields.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw invalid('filter.limit', 'must be an integer from 1 to 1000');
    }
    if (fields.cursor !== undefined && fields.cursor !== null && typeof fields.cursor !== 'string') {
      throw invalid('filter.cursor', 'must be a string');
    }
    const at = now();
    const page = await filteredPage(
      (size, cursor) =>
        guarded(
          repository.list({
            tenant,
            ...(owner === undefined ? {} : { owner }),
            ...(types === undefined ? {} : { types }),
            includeExpired: fields.hideExpired === false,
            includeRevoked: fields.hideRevoked === false,
            now: at,
            limit: size,
            cursor,
          }),
        ),
      visible,
      limit,
      (fields.cursor as string | null | undefined) ?? null,
    );
    return { items: page.items.map((record) => toInfo(record, at)), nextCursor: page.nextCursor };
  };

  const get = async (ref: TokenRef, actor: Actor): Promise<TokenInfo> => {
    const { record } = await managed(ref, actor, 'read');
    return toInfo(record, now());
  };

  // ------------------------------------------------------------- changes

  const updateComment = async (ref: TokenRef, text: string, actor: Actor): Promise<TokenInfo> => {
    const newComment = checkComment(text);
    const { record, who } = await managed(ref, actor, 'comment');
    if (record.type === 'master') throw new TokenError('forbidden', 'master tokens cannot be modified');
    let current: TokenRecord | null = record;
    // Only the comment changes, so a concurrent change elsewhere is retried rather than reported.
    for (let attempt = 0; attempt < 5 && current !== null; attempt++) {
      if (current.revokedAt !== null) throw new TokenError('conflict', 'a revoked token cannot be changed');
      const updated = await guarded(
        repository.update(
          current.id,
          current.version,
          { comment: newComment },
          event(current, 'comment_updated', who.label),
        ),
      );
      if (updated !== null) return toInfo(updated, now());
      current = await guarded(repository.findById(record.id));
    }
    throw new TokenError('conflict', 'the token was changed concurrently; try again');
  };

  const setMaxTtl = async (
    target: { readonly tenant?: string } & PolicyTarget,
    ttl: Duration | null,
    actor: Actor,
  ): Promise<void> => {
    const fields = expectKeys(target, 'target', ['tenant', 'user', 'role']);
    const who = await resolve(actor);
    const tenant = callTenant(who, fields.tenant);
    authorizer.untargeted(who, 'setMaxTtl');
    requireAdmin(who, 'set token duration policies');
    if ((fields.user === undefined) === (fields.role === undefined))
      throw invalid('target', 'must name a user or a role');
    const subject =
      fields.user !== undefined
        ? { kind: 'user' as const, name: identifier(fields.user, 'target.user') }
        : { kind: 'role' as const, name: identifier(fields.role, 'target.role') };
    const maxTtl = ttl === null ? null : parseDuration(ttl, 'ttl');
    // A typo must not set a policy nobody has; removing one works for users already gone.
    // Roles cannot be checked: the directory answers who a user is, not which roles exist.
    if (subject.kind === 'user' && maxTtl !== null && (await lookupUser(directory, tenant, subject.name)) === null) {
      throw new TokenError('not_found', 'the user is unknown or inactive');
    }
    await guarded(repository.setPolicy(tenant, subject, maxTtl, now()));
  };

  /** A `{ tenant, user }` target naming a live user of the directory. */
  const liveUserTarget = async (target: unknown): Promise<{ tenant: string; user: string; found: DirectoryUser }> => {
    const fields = expectKeys(target, 'target', ['tenant', 'user']);
    const tenant = identifier(fields.tenant, 'target.tenant');
    const user = identifier(fields.user, 'target.user');
    const found = await lookupUser(directory, tenant, user);
    if (found === null) throw new TokenError('not_found', 'the user is unknown or inactive');
    return { tenant, user, found };
  };

  const explainMaxTtl = async (target: {
    readonly tenant: string;
    readonly user: string;
  }): Promise<MaxTtlExplanation> => {
    const { tenant, user, found } = await liveUserTarget(target);
    return explain(tenant, user, found.roles ?? []);
  };

  // -------------------------------------------------------------- master

  const ensureMasterToken = async (target: {
    readonly tenant: string;
    readonly user: string;
  }): Promise<EnsureMasterResult> => {
    const { tenant, user } = await liveUserTarget(target);
    const createdAt = now();
    const { record, secret } = newRecord(
      {
        tenant,
        type: 'master',
        owner: user,
        name: MASTER_NAME,
        comment: user,
        grants: null,
        // Master tokens live as long as the membership: they end when the user is removed.
        expiresAt: null,
        createdBy: 'system',
      },
      createdAt,
    );
    const token = await encode(record, secret);
    const result = await guarded(
      repository.insertMaster(record, event(record, 'issued', 'system', { type: 'master' })),
    );
    if (!result.created) return { created: false, info: toInfo(result.record, createdAt) };
    return { created: true, token, info: toInfo(result.record, createdAt) };
  };

  // ------------------------------------------------------- share and claim

  const share = async (ref: TokenRef, actor: Actor, shareOptions?: ShareOptions): Promise<ShareResult> => {
    const fields = expectKeys(shareOptions, 'options', ['ttl']);
    const ttl = fields.ttl === undefined ? claimTtl : parseDuration(fields.ttl, 'ttl');
    const { record, who } = await managed(ref, actor, 'share');
    if (record.type === 'master') throw new TokenError('forbidden', 'master tokens cannot be shared');
    const at = now();
    if (!isLive(record, at)) throw new TokenError('conflict', 'only live tokens can be shared');
    const code = `${prefix}_claim_${randomBase62(CLAIM_CODE_LENGTH, random)}`;
    const expiresAt = Math.min(at + ttl, record.expiresAt ?? Number.POSITIVE_INFINITY);
    await guarded(
      repository.insertClaim(
        {
          codeHash: peppers.hash(code, peppers.current)!,
          tokenId: record.id,
          tenant: record.tenant,
          createdAt: at,
          expiresAt,
          createdBy: who.label,
        },
        event(record, 'shared', who.label, { expiresAt: new Date(expiresAt).toISOString() }),
      ),
    );
    return { code, tokenId: record.id, expiresAt: new Date(expiresAt) };
  };

  const claimPattern = new RegExp(`^${prefix}_claim_[0-9A-Za-z]{${CLAIM_CODE_LENGTH}}$`);

  const claim = async (code: string): Promise<IssuedToken> => {
    if (typeof code !== 'string' || !claimPattern.test(code)) throw invalid('code', 'is not a claim code');
    const at = now();
    let found = null;
    // The code was hashed under whichever pepper was current when it was made.
    for (const version of [peppers.current, ...peppers.versions.filter((v) => v !== peppers.current)]) {
      found = await guarded(repository.consumeClaim(peppers.hash(code, version)!, at));
      if (found !== null) break;
    }
    if (found === null) throw new TokenError('not_found', 'the claim code is unknown, used or expired');
    // The claim is ours alone now, so a lost compare-and-set (a concurrent touch or comment) is simply retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await guarded(repository.findById(found.tokenId));
      if (record === null) throw new TokenError('not_found', 'the shared token no longer exists');
      if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the shared token has been revoked');
      if (!isLive(record, now())) throw new TokenError('token_expired', 'the shared token has expired');
      const rotated = await replaceSecret(record, `claim:${found.createdBy}`, null, 'claimed');
      if (rotated !== null) return { token: rotated.token, info: toInfo(rotated.record, now()) };
    }
    throw new TokenError('conflict', 'the token was changed concurrently; try again');
  };

  // ------------------------------------------------------------- sessions

  const exchange = async (token: string, exchangeOptions?: { readonly ttl?: Duration }): Promise<SessionToken> => {
    if (sessions === undefined) throw invalid('sessions', 'are not configured for this service');
    const fields = expectKeys(exchangeOptions, 'options', ['ttl']);
    const ttl = fields.ttl === undefined ? sessionDefaultTtl : parseDuration(fields.ttl, 'ttl');
    if (ttl > sessionMaxTtl) {
      throw new TokenError(
        'duration_exceeds_policy',
        `session ttl exceeds the maximum of ${formatDuration(sessionMaxTtl)}`,
        {
          field: 'ttl',
          limit: sessionMaxTtl,
        },
      );
    }
    if (sessions.codec.looksLike(token)) throw invalid('token', 'must be a long-lived token, not a session');
    const principal = await verify(token);
    if (principal.type === 'verification')
      throw new TokenError('forbidden', 'verification tokens cannot start sessions');
    const parent = await guarded(repository.findById(principal.tokenId));
    if (parent === null) throw tokenInvalid();
    const at = now();
    const expiresAt = Math.min(at + ttl, parent.expiresAt ?? Number.POSITIVE_INFINITY);
    const sessionId = nextId();
    const signed = await sessions.codec.sign({
      sessionId,
      parentId: parent.id,
      tenant: parent.tenant,
      parentRotatedAt: parent.rotatedAt,
      issuedAt: at,
      expiresAt,
    });
    return { token: signed, sessionId, parentId: parent.id, expiresAt: new Date(expiresAt) };
  };

  // --------------------------------------------------------------- events

  const events = async (ref: TokenRef, actor: Actor, eventOptions?: EventsOptions): Promise<Page<TokenEvent>> => {
    const fields = expectKeys(eventOptions, 'options', ['limit', 'cursor']);
    const limit = fields.limit === undefined ? 100 : fields.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw invalid('options.limit', 'must be an integer from 1 to 1000');
    }
    if (fields.cursor !== undefined && fields.cursor !== null && typeof fields.cursor !== 'string') {
      throw invalid('options.cursor', 'must be a string');
    }
    const { record } = await managed(ref, actor, 'read');
    return guarded(
      repository.listEvents({
        tokenId: record.id,
        limit,
        cursor: (fields.cursor as string | null | undefined) ?? null,
      }),
    );
  };

  const record = async (
    principal: Principal,
    operation: string,
    detail?: Readonly<Record<string, unknown>>,
  ): Promise<void> => {
    if (typeof principal !== 'object' || principal === null || !madeHere(principal)) {
      throw invalid('principal', 'must be a principal verified by this service');
    }
    const operationName = labelText(operation, 'operation', 200);
    const safeDetail = detail === undefined ? null : jsonObject(detail, 'detail', MAX_DETAIL_BYTES);
    // Verification tokens are configuration, not stored tokens: they have no history to append to.
    if (principal.type === 'verification') return;
    await guarded(
      repository.appendEvent(
        event(
          { id: principal.tokenId, tenant: principal.tenant },
          'used',
          `token:${principal.tokenId}`,
          safeDetail,
          operationName,
        ),
      ),
    );
  };

  const pruneEvents = (): Promise<number> => guarded(repository.pruneEvents(now() - eventRetention));
  const purgeExpired = (): Promise<number> => guarded(repository.purgeExpired(now() - purgeAfter));

  return {
    issue,
    verify,
    rotate,
    revoke,
    revokeAll: (target, actor) => revokeUser(target, actor, false),
    removeUser: (target, actor) => revokeUser(target, actor, true),
    list,
    get,
    updateComment,
    setMaxTtl,
    explainMaxTtl,
    ensureMasterToken,
    share,
    claim,
    exchange,
    events,
    record,
    pruneEvents,
    purgeExpired,
  };
}

const STORED_TYPES: readonly StoredTokenType[] = ['administrative', 'personal', 'master', 'limited'];

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
