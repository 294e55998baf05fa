/**
 * The commands of the model-based test. Each one computes from the model
 * what the call must do (succeed, or fail with a code a broken rule
 * answers with), runs the call on the real service, compares, and then
 * brings the model up to date.
 */
import type fc from 'fast-check';
import { expect } from 'vitest';
import type { TokenErrorCode } from '../../../src/errors.js';
import { looksLikeToken } from '../../../src/format.js';
import type { TokenRef } from '../../../src/service-types.js';
import type { Grant, TokenInfo } from '../../../src/types.js';
import type { Harness } from '../../support/service.js';
import {
  type ActorName,
  ALL,
  activeUser,
  actorOf,
  allows,
  byName,
  CLAIM_TTL,
  covers,
  DEFAULT_TTL,
  EVENT_RETENTION,
  effectiveMax,
  effectiveNeeds,
  intersect,
  isExpired,
  isLive,
  liveCapped,
  liveNames,
  logEvent,
  MASTER_NAME,
  type Model,
  type ModelToken,
  mayManage,
  NEEDS,
  type NeedKey,
  type NeedSet,
  needSet,
  PURGE_AFTER,
  policyKey,
  tokensOf,
  userNeeds,
} from './model.js';
import { expectOutcome, settle } from './outcome.js';

export type Real = Harness;
export type Command = fc.AsyncCommand<Model, Real>;

/** A syntactically valid token id that no token has. */
export const GHOST_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/**
 * A token picked by position at run time (the model's list grows while
 * commands are generated): among the live ones the actor may manage (so
 * that most calls get past the lookup and the liveness checks), among all
 * tokens, dead and foreign ones included, or a missing one.
 */
export type Pick = { readonly index: number; readonly among: 'manageable' | 'any' } | 'ghost';

function target(model: Model, actor: ActorName, pick: Pick): ModelToken | null {
  if (pick === 'ghost') return null;
  const manageable = model.tokens.filter((token) => isLive(token, model.now) && mayManage(model, actor, token));
  const pool = pick.among === 'manageable' && manageable.length > 0 ? manageable : model.tokens;
  return pool.length === 0 ? null : pool[pick.index % pool.length]!;
}

/** Commands aimed at a token wait until there is one (a missing one is the 'ghost' pick's job). */
function hasTarget(model: Readonly<Model>, pick: Pick): boolean {
  return pick === 'ghost' || model.tokens.length > 0;
}

function describeTarget(pick: Pick): string {
  return pick === 'ghost' ? 'ghost' : `${pick.among} #${pick.index}`;
}

function codes(...list: TokenErrorCode[]): Set<TokenErrorCode> {
  return new Set(list);
}

/** The ways the actor itself can make a call fail before any rule about the token applies. */
function actorCodes(model: Model, actor: ActorName): Set<TokenErrorCode> {
  const { tenant, user } = actorOf(actor);
  return activeUser(model, tenant, user) === null ? codes('forbidden') : codes();
}

/** A token the actor may not see is missing to them (or plainly forbidden). */
function lookupCodes(model: Model, actor: ActorName, token: ModelToken | null): Set<TokenErrorCode> {
  const found = actorCodes(model, actor);
  if (token === null || token.purged || !mayManage(model, actor, token)) found.add('not_found').add('forbidden');
  return found;
}

function statusOf(token: ModelToken, now: number): string[] {
  // The spec does not say which wins when a token is both revoked and expired.
  if (token.revokedAt !== null) return isExpired(token, now) ? ['revoked', 'expired'] : ['revoked'];
  return isExpired(token, now) ? ['expired'] : ['active'];
}

function needsOfInfo(grants: readonly Grant[] | null): Set<NeedKey> | null {
  return grants === null ? null : needSet(grants);
}

/** The public view must match the model and never carry a secret (SPEC §3: shown once). */
function expectInfo(model: Model, info: TokenInfo, token: ModelToken, what: string): void {
  expect(
    {
      id: info.id,
      tenant: info.tenant,
      type: info.type,
      owner: info.owner,
      name: info.name,
      comment: info.comment,
      expiresAt: info.expiresAt?.getTime() ?? null,
      revokedAt: info.revokedAt?.getTime() ?? null,
      rotatedAt: info.rotatedAt?.getTime() ?? null,
      grants: needsOfInfo(info.grants),
    },
    what,
  ).toEqual({
    id: token.id,
    tenant: token.tenant,
    type: token.type,
    owner: token.owner,
    name: token.name,
    comment: token.comment,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
    rotatedAt: token.rotatedAt,
    grants: token.grants,
  });
  expect(statusOf(token, model.now), `${what}: status`).toContain(info.status);
  expectNoSecrets(model, info, what);
}

function expectNoSecrets(model: Model, value: unknown, what: string): void {
  const text = JSON.stringify(value);
  for (const token of model.tokens) {
    for (const secret of [token.current, token.grace?.token, ...token.retired]) {
      // The last 20 characters are secret and checksum: no part of a listing may hold them.
      if (secret !== undefined) expect(text.includes(secret.slice(-20)), `${what} leaks a token`).toBe(false);
    }
  }
  expect(text, `${what} has no secret fields`).not.toMatch(/"(token|secret|secretHash|hash)"/i);
}

/** Retires the secret a rotation replaces, keeping it for the grace period (never past expiry) if asked. */
function rollSecret(model: Model, token: ModelToken, fresh: string, graceMs: number | null): void {
  if (token.grace !== null) token.retired.push(token.grace.token);
  token.grace = null;
  if (graceMs === null) token.retired.push(token.current);
  else token.grace = { token: token.current, until: Math.min(model.now + graceMs, token.expiresAt ?? Infinity) };
  token.current = fresh;
  token.rotatedAt = model.now;
}

// -------------------------------------------------------------------- issue

/** Lifetimes the issue command asks for, with what the model reads them as. */
/** Lifetimes the issue command asks for, with what the model reads them as: well-formed ones under the ceiling first. */
export const TTL_CHOICES: readonly {
  readonly ttl: string | number | null | undefined;
  readonly ms: number | null | undefined | 'invalid';
}[] = [
  { ttl: undefined, ms: undefined },
  { ttl: null, ms: null },
  { ttl: 90_000, ms: 90_000 },
  { ttl: '1h', ms: 3_600_000 },
  { ttl: '24h', ms: 86_400_000 },
  { ttl: '30d', ms: 30 * 86_400_000 },
  { ttl: '90d', ms: 90 * 86_400_000 },
  { ttl: '1y', ms: 365 * 86_400_000 },
  { ttl: '400d', ms: 400 * 86_400_000 },
  { ttl: '0d', ms: 'invalid' },
  { ttl: 'soon', ms: 'invalid' },
];

export interface IssueParams {
  readonly actor: ActorName;
  /**
   * When set, the call is made with a verified token instead of as `actor`:
   * the token picked by `index` among those that verify now (among the
   * master tokens, if `master` and there are any).
   */
  readonly viaToken?: { readonly index: number; readonly master: boolean } | undefined;
  readonly type: 'personal' | 'limited' | 'administrative' | 'master' | undefined;
  readonly owner: string | undefined;
  readonly name: string | undefined;
  readonly ttl: number;
  readonly grants: Grant[] | undefined;
  readonly comment: string | undefined;
}

/** Who creates a token, as far as the rules care. */
interface Creator {
  readonly tenant: string;
  readonly user: string | null;
  readonly admin: boolean;
  /** What the creator may do, the ceiling of what it may grant. */
  readonly needs: NeedSet;
  /** Only users and master tokens create tokens (SPEC §2). */
  readonly mayIssue: boolean;
  readonly label: string;
}

/** Tokens that verify now, so that their principal can act. */
function actingTokens(m: Readonly<Model>): ModelToken[] {
  return m.tokens.filter(
    (token) =>
      isLive(token, m.now) && (token.owner === null || activeUser(m as Model, token.tenant, token.owner) !== null),
  );
}

function actingToken(m: Model, via: { readonly index: number; readonly master: boolean }): ModelToken {
  const candidates = actingTokens(m);
  const masters = candidates.filter((token) => token.type === 'master');
  const pool = via.master && masters.length > 0 ? masters : candidates;
  return pool[via.index % pool.length]!;
}

function creatorOf(m: Model, p: IssueParams, acting: ModelToken | null): Creator | null {
  if (acting !== null) {
    const owner = activeUser(m, acting.tenant, acting.owner);
    return {
      tenant: acting.tenant,
      user: acting.owner,
      admin: owner?.admin ?? false,
      // A master token has full access in its tenant.
      needs: ALL,
      mayIssue: acting.type === 'master',
      label: `token:${acting.id}`,
    };
  }
  const { tenant, user } = actorOf(p.actor);
  const found = activeUser(m, tenant, user);
  if (found === null) return null;
  return { tenant, user, admin: found.admin, needs: userNeeds(found), mayIssue: true, label: `user:${user}` };
}

export class IssueCommand implements Command {
  constructor(readonly p: IssueParams) {}
  check(m: Readonly<Model>): boolean {
    return this.p.viaToken === undefined || actingTokens(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const p = this.p;
    const choice = TTL_CHOICES[p.ttl % TTL_CHOICES.length]!;
    const acting = p.viaToken === undefined ? null : actingToken(m, p.viaToken);
    const creator = creatorOf(m, p, acting);
    const tenant = creator?.tenant ?? actorOf(p.actor).tenant;
    const type = p.type ?? 'personal';
    const expected = codes();
    // Master tokens come only from ensureMasterToken.
    if (type === 'master') expected.add('invalid_request');
    let owner: string | null = null;
    let lifetime: number | null = null;
    let grants: Set<NeedKey> | null = null;
    if (creator === null || !creator.mayIssue) {
      // An unknown or inactive user, or a token other than a master one: nothing to check further.
      expected.add('forbidden');
    } else {
      let ownerNeeds: NeedSet = ALL;
      if (type === 'administrative') {
        // Administrative tokens are impersonal and only admins issue them.
        if (!creator.admin) expected.add('forbidden');
        if (p.owner !== undefined) expected.add('invalid_request');
      } else {
        // FOR USER is for admins only; the owner must be a live user of the tenant.
        owner = p.owner ?? creator.user;
        if (owner !== creator.user && !creator.admin) expected.add('forbidden');
        const ownerUser = activeUser(m, tenant, owner);
        if (ownerUser === null) expected.add('not_found').add('invalid_request');
        else ownerNeeds = userNeeds(ownerUser);
      }
      // Limited tokens give no access unless granted; a token never carries more than its creator (and owner) may do.
      grants = p.grants === undefined ? (type === 'limited' ? new Set() : null) : needSet(p.grants);
      if (grants !== null && !covers(intersect(creator.needs, ownerNeeds), grants)) {
        expected.add('insufficient_scope').add('forbidden');
      }
      // Refused, never shortened; no ttl means min(default, effective maximum); no expiry only where allowed.
      const limit = effectiveMax(m, tenant, owner);
      if (choice.ms === 'invalid') expected.add('invalid_request');
      else if (choice.ms === undefined) lifetime = Math.min(DEFAULT_TTL, limit.max);
      else if (choice.ms === null) {
        if (!m.config.allowNoExpiry || limit.fromPolicy) expected.add('duration_exceeds_policy');
      } else if (choice.ms > limit.max) expected.add('duration_exceeds_policy');
      else lifetime = choice.ms;
      if (p.name !== undefined && liveNames(m, tenant, owner).includes(p.name)) expected.add('conflict');
      // The master token's name is reserved in every user's namespace, so the two can never clash.
      if (owner !== null && p.name === MASTER_NAME) expected.add('invalid_request').add('conflict');
      if (owner !== null && liveCapped(m, tenant, owner) >= m.config.maxTokensPerUser) expected.add('limit_exceeded');
    }

    const input = {
      ...(p.type === undefined ? {} : { type: p.type }),
      ...(p.owner === undefined ? {} : { owner: p.owner }),
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(choice.ttl === undefined ? {} : { ttl: choice.ttl }),
      ...(p.grants === undefined ? {} : { grants: p.grants }),
      ...(p.comment === undefined ? {} : { comment: p.comment }),
    };
    const actor = acting === null ? actorOf(p.actor) : { principal: await r.service.verify(acting.current) };
    const issued = expectOutcome(
      await settle(r.service.issue(input as Parameters<Real['service']['issue']>[0], actor)),
      expected,
      this.toString(),
    );
    if (issued === null) return;
    const { token, info } = issued;
    expect(looksLikeToken(token), 'issued token has the checksummed format').toBe(true);
    if (p.name === undefined) {
      // A generated name is unique among the owner's live tokens.
      expect(liveNames(m, tenant, owner), 'generated name is fresh').not.toContain(info.name);
    }
    const modelToken: ModelToken = {
      id: info.id,
      tenant,
      type: type as ModelToken['type'],
      owner,
      name: p.name ?? info.name,
      comment: p.comment ?? '',
      grants,
      createdAt: m.now,
      expiresAt: lifetime === null ? null : m.now + lifetime,
      revokedAt: null,
      rotatedAt: null,
      current: token,
      grace: null,
      retired: [],
      purged: false,
      events: [],
    };
    expect(
      m.tokens.some((known) => known.id === info.id),
      'ids are unique',
    ).toBe(false);
    m.tokens.push(modelToken);
    logEvent(m, modelToken, 'issued');
    expectInfo(m, info, modelToken, this.toString());
    expect(info.createdBy, 'createdBy names the creator').toBe(creator?.label);
  }
  toString(): string {
    const p = this.p;
    const ttl = TTL_CHOICES[p.ttl % TTL_CHOICES.length]!.ttl;
    const who = p.viaToken === undefined ? p.actor : `${p.viaToken.master ? 'master' : 'token'} #${p.viaToken.index}`;
    return `issue(${JSON.stringify({ type: p.type, owner: p.owner, name: p.name, ttl, grants: p.grants, comment: p.comment })}, ${who})`;
  }
}

// ------------------------------------------------------------------- verify

/** `live`: the current secret of a live token; `current`: of any token, dead ones included. */
export type VerifyKind = 'live' | 'current' | 'grace' | 'retired' | 'garbage' | 'mutation';

export interface VerifyParams {
  readonly kind: VerifyKind;
  readonly pick: number;
  readonly position: number;
  readonly replacement: string;
  readonly garbage: string;
  readonly tenant: 'acme' | 'globex' | undefined;
}

function verifyCandidates(m: Model, kind: VerifyKind): ModelToken[] {
  if (kind === 'grace') return m.tokens.filter((token) => token.grace !== null);
  if (kind === 'retired') return m.tokens.filter((token) => token.retired.length > 0);
  if (kind === 'live') return m.tokens.filter((token) => isLive(token, m.now));
  return m.tokens;
}

/**
 * Verifies `text` and compares with the model: `accepted` says whether the
 * string is a secret `token` accepts now; then revocation, expiry, the
 * owner's state and the tenant decide; on success the principal must
 * describe the token and allow exactly what the model allows.
 */
async function expectVerification(
  m: Model,
  r: Real,
  token: ModelToken | null,
  text: string,
  accepted: boolean,
  tenant: 'acme' | 'globex' | undefined,
  what: string,
): Promise<void> {
  const expected = codes();
  if (token === null || !accepted) expected.add('token_invalid');
  else {
    if (token.revokedAt !== null) expected.add('token_revoked');
    if (isExpired(token, m.now)) expected.add('token_expired');
    // An owner who is gone or inactive takes their tokens with them.
    if (token.owner !== null && activeUser(m, token.tenant, token.owner) === null) expected.add('token_invalid');
    if (tenant !== undefined && tenant !== token.tenant) expected.add('token_invalid');
  }
  const principal = expectOutcome(
    await settle(r.service.verify(text, tenant === undefined ? undefined : { tenant })),
    expected,
    what,
  );
  if (principal === null || token === null) return;
  expect(
    {
      tokenId: principal.tokenId,
      type: principal.type,
      tenant: principal.tenant,
      owner: principal.owner,
      name: principal.name,
      expiresAt: principal.expiresAt?.getTime() ?? null,
    },
    what,
  ).toEqual({
    tokenId: token.id,
    type: token.type,
    tenant: token.tenant,
    owner: token.owner,
    name: token.name,
    expiresAt: token.expiresAt,
  });
  // Effective grants: the owner's privileges as the directory has them now, narrowed by the token's grants.
  const effective = effectiveNeeds(m, token);
  const got = NEEDS.map((need) => principal.can(need));
  expect(got, `${what}: can()`).toEqual(NEEDS.map((need) => allows(effective, need)));
}

/**
 * Verifies every secret the model knows (current, grace and retired) of
 * every token. Run after the clock or the directory changes, where the
 * consequences (expiry, end of grace, live narrowing) would otherwise wait
 * for a lucky later verification.
 */
async function sweep(m: Model, r: Real, what: string): Promise<void> {
  for (const token of m.tokens) {
    await expectVerification(m, r, token, token.current, !token.purged, undefined, `${what}: current #${token.id}`);
    if (token.grace !== null) {
      const accepted = !token.purged && token.grace.until > m.now;
      await expectVerification(m, r, token, token.grace.token, accepted, undefined, `${what}: grace #${token.id}`);
    }
    for (const old of token.retired) {
      await expectVerification(m, r, token, old, false, undefined, `${what}: retired #${token.id}`);
    }
  }
}

export class VerifyCommand implements Command {
  constructor(readonly p: VerifyParams) {}
  check(m: Readonly<Model>): boolean {
    return this.p.kind === 'garbage' || verifyCandidates(m, this.p.kind).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const p = this.p;
    const candidates = verifyCandidates(m, p.kind);
    const token = p.kind === 'garbage' ? null : candidates[p.pick % candidates.length]!;
    let text: string;
    // Whether the string is one this token accepts now (before looking at revocation, expiry and owner).
    let accepted = false;
    if (token === null) {
      text = p.garbage;
    } else if (p.kind === 'current' || p.kind === 'live') {
      text = token.current;
      accepted = !token.purged;
    } else if (p.kind === 'grace') {
      text = token.grace!.token;
      // The replaced secret works until the end of its grace period, never after.
      accepted = !token.purged && token.grace!.until > m.now;
    } else if (p.kind === 'retired') {
      text = token.retired[p.pick % token.retired.length]!;
    } else {
      // Any single-character change fails the checksum or the hash.
      const at = p.position % token.current.length;
      const original = token.current[at]!;
      const replacement = p.replacement === original ? (original === 'A' ? 'B' : 'A') : p.replacement;
      text = token.current.slice(0, at) + replacement + token.current.slice(at + 1);
    }
    await expectVerification(m, r, token, text, accepted, p.tenant, this.toString());
  }
  toString(): string {
    const p = this.p;
    const detail = p.kind === 'garbage' ? JSON.stringify(p.garbage) : `#${p.pick}`;
    const mutation = p.kind === 'mutation' ? ` at ${p.position} → ${JSON.stringify(p.replacement)}` : '';
    return `verify(${p.kind} ${detail}${mutation}${p.tenant === undefined ? '' : `, tenant ${p.tenant}`})`;
  }
}

// ------------------------------------------------------------------- rotate

export const GRACE_CHOICES: readonly { readonly grace: string | undefined; readonly ms: number | null }[] = [
  { grace: undefined, ms: null },
  { grace: '30s', ms: 30_000 },
  { grace: '1h', ms: 3_600_000 },
  { grace: '2d', ms: 2 * 86_400_000 },
];

export class RotateCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
    readonly grace: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const choice = GRACE_CHOICES[this.grace % GRACE_CHOICES.length]!;
    const expected = lookupCodes(m, this.actor, token);
    if (token !== null && expected.size === 0) {
      // Only a live token can be rotated (masters included: refresh is their one allowed change).
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked');
      if (isExpired(token, m.now)) expected.add('conflict').add('token_expired');
    }
    const rotated = expectOutcome(
      await settle(
        r.service.rotate(
          token?.id ?? GHOST_ID,
          actorOf(this.actor),
          choice.grace === undefined ? undefined : { gracePeriod: choice.grace },
        ),
      ),
      expected,
      this.toString(),
    );
    if (rotated === null || token === null) return;
    // Same id, name, grants and expiry; a new secret.
    expect(rotated.token, 'a rotation makes a new secret').not.toBe(token.current);
    rollSecret(m, token, rotated.token, choice.ms);
    logEvent(m, token, 'rotated');
    expectInfo(m, rotated.info, token, this.toString());
  }
  toString(): string {
    const grace = GRACE_CHOICES[this.grace % GRACE_CHOICES.length]!.grace;
    return `rotate(${describeTarget(this.pick)}, ${this.actor}${grace === undefined ? '' : `, grace ${grace}`})`;
  }
}

// ------------------------------------------------------------------- revoke

export class RevokeCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token);
    // Master tokens cannot be revoked directly.
    if (token !== null && expected.size === 0 && token.type === 'master') expected.add('forbidden');
    const outcome = await settle(r.service.revoke(token?.id ?? GHOST_ID, actorOf(this.actor)));
    if (token !== null && expected.size === 0 && token.revokedAt !== null) {
      // Revoking twice changes nothing: the first revocation stands (answered as it is, or as a conflict).
      if (outcome.ok) expectInfo(m, outcome.value, token, this.toString());
      else expect(outcome.code, this.toString()).toBe('conflict');
      return;
    }
    const info = expectOutcome(outcome, expected, this.toString());
    if (info === null || token === null) return;
    token.revokedAt = m.now;
    logEvent(m, token, 'revoked');
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `revoke(${describeTarget(this.pick)}, ${this.actor})`;
  }
}

/** revokeAll (DROP ALL … FOR USER) and removeUser: every unrevoked token of a user; removeUser takes the master too. */
export class RevokeUserCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly user: 'alice' | 'analyst' | 'bob',
    readonly removeUser: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { tenant, user } = actorOf(this.actor);
    const actorUser = activeUser(m, tenant, user);
    const expected = actorCodes(m, this.actor);
    // Removing a user is an admin's act; revoking all tokens of someone else too.
    if (actorUser !== null && !actorUser.admin && (this.removeUser || this.user !== user)) expected.add('forbidden');
    const call = this.removeUser ? r.service.removeUser : r.service.revokeAll;
    const count = expectOutcome(
      await settle(call({ user: this.user }, actorOf(this.actor))),
      expected,
      this.toString(),
    );
    if (count === null) return;
    const hit = tokensOf(m, tenant, this.user).filter(
      (token) => token.revokedAt === null && (this.removeUser || token.type !== 'master'),
    );
    expect(count, `${this.toString()}: count`).toBe(hit.length);
    for (const token of hit) {
      token.revokedAt = m.now;
      logEvent(m, token, 'revoked');
    }
  }
  toString(): string {
    return `${this.removeUser ? 'removeUser' : 'revokeAll'}(${this.user}, ${this.actor})`;
  }
}

// ------------------------------------------------------- comment, get, list

/** A reference by id, or by (owner, name) as Tengri's statements name tokens. */
function refOf(token: ModelToken | null, byId: boolean): TokenRef {
  if (token === null) return GHOST_ID;
  return byId ? token.id : { owner: token.owner, name: token.name };
}

/** The token a reference reaches in the actor's tenant. */
function resolve(m: Model, actor: ActorName, token: ModelToken | null, byId: boolean): ModelToken | null {
  if (token === null || byId) return token;
  return byName(m, actorOf(actor).tenant, token.owner, token.name);
}

export class UpdateCommentCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
    readonly byId: boolean,
    readonly comment: string | number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const picked = target(m, this.actor, this.pick);
    const token = resolve(m, this.actor, picked, this.byId);
    const expected = lookupCodes(m, this.actor, token);
    if (typeof this.comment !== 'string') expected.add('invalid_request');
    if (token !== null && expected.size === 0) {
      // Master tokens cannot be modified; a revoked token is final.
      if (token.type === 'master') expected.add('forbidden');
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked').add('forbidden');
    }
    const info = expectOutcome(
      await settle(r.service.updateComment(refOf(picked, this.byId), this.comment as string, actorOf(this.actor))),
      expected,
      this.toString(),
    );
    if (info === null || token === null) return;
    // Only the comment changes: same secret, same expiry (checked by later verifications).
    token.comment = this.comment as string;
    logEvent(m, token, 'comment_updated');
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `updateComment(${describeTarget(this.pick)} by ${this.byId ? 'id' : 'name'}, ${JSON.stringify(this.comment)}, ${this.actor})`;
  }
}

export class GetCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
    readonly byId: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const picked = target(m, this.actor, this.pick);
    const token = resolve(m, this.actor, picked, this.byId);
    const expected = lookupCodes(m, this.actor, token);
    const info = expectOutcome(
      await settle(r.service.get(refOf(picked, this.byId), actorOf(this.actor))),
      expected,
      this.toString(),
    );
    if (info === null || token === null) return;
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `get(${describeTarget(this.pick)} by ${this.byId ? 'id' : 'name'}, ${this.actor})`;
  }
}

export type ListScope = 'own' | 'alice' | 'analyst' | 'bob' | 'administrative' | 'all';

export class ListCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly scope: ListScope,
    readonly hideExpired: boolean | undefined,
    readonly hideRevoked: boolean | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { tenant, user } = actorOf(this.actor);
    const actorUser = activeUser(m, tenant, user);
    const expected = actorCodes(m, this.actor);
    const owner: string | null | undefined =
      this.scope === 'own'
        ? user
        : this.scope === 'administrative'
          ? null
          : this.scope === 'all'
            ? undefined
            : this.scope;
    // Users list their own tokens; another user's, the administrative ones or all of them are for admins.
    if (actorUser !== null && !actorUser.admin && owner !== user) expected.add('forbidden');
    const filter = {
      ...(this.scope === 'own' ? {} : this.scope === 'all' ? { all: true } : { owner: owner as string | null }),
      ...(this.hideExpired === undefined ? {} : { hideExpired: this.hideExpired }),
      ...(this.hideRevoked === undefined ? {} : { hideRevoked: this.hideRevoked }),
      limit: 1000,
    };
    const page = expectOutcome(await settle(r.service.list(filter, actorOf(this.actor))), expected, this.toString());
    if (page === null) return;
    // Hiding is on by default; a token both revoked and expired shows only when neither is hidden.
    const hideExpired = this.hideExpired ?? true;
    const hideRevoked = this.hideRevoked ?? true;
    const visible = m.tokens.filter(
      (token) =>
        !token.purged &&
        token.tenant === tenant &&
        (owner === undefined || token.owner === owner) &&
        !(hideExpired && isExpired(token, m.now)) &&
        !(hideRevoked && token.revokedAt !== null),
    );
    expect(page.nextCursor, 'one page holds everything').toBeNull();
    expect(page.items.map((info) => info.id).sort(), this.toString()).toEqual(visible.map((token) => token.id).sort());
    for (const info of page.items) {
      expectInfo(m, info, visible.find((token) => token.id === info.id)!, this.toString());
    }
    // Listings are newest first.
    const created = page.items.map((info) => info.createdAt.getTime());
    expect(created, 'newest first').toEqual([...created].sort((a, b) => b - a));
  }
  toString(): string {
    return `list(${this.scope}, hideExpired ${this.hideExpired}, hideRevoked ${this.hideRevoked}, ${this.actor})`;
  }
}

// ------------------------------------------------------------ share, claim

export class ShareCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
    readonly ttl: '1h' | '2d' | undefined,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token);
    if (token !== null && expected.size === 0) {
      // Master tokens cannot be shared; only a live token can be.
      if (token.type === 'master') expected.add('forbidden');
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked');
      if (isExpired(token, m.now)) expected.add('conflict').add('token_expired');
    }
    const shared = expectOutcome(
      await settle(
        r.service.share(
          token?.id ?? GHOST_ID,
          actorOf(this.actor),
          this.ttl === undefined ? undefined : { ttl: this.ttl },
        ),
      ),
      expected,
      this.toString(),
    );
    if (shared === null || token === null) return;
    const ttl = this.ttl === '1h' ? 3_600_000 : this.ttl === '2d' ? 2 * 86_400_000 : CLAIM_TTL;
    // A share never outlives the token it hands over.
    const expiresAt = Math.min(m.now + ttl, token.expiresAt ?? Infinity);
    expect({ tokenId: shared.tokenId, expiresAt: shared.expiresAt.getTime() }, this.toString()).toEqual({
      tokenId: token.id,
      expiresAt,
    });
    // It sends a code, never the token.
    expectNoSecrets(m, shared, this.toString());
    m.claims.push({ code: shared.code, tokenId: token.id, expiresAt, used: false });
    logEvent(m, token, 'shared');
  }
  toString(): string {
    return `share(${describeTarget(this.pick)}, ${this.actor}${this.ttl === undefined ? '' : `, ttl ${this.ttl}`})`;
  }
}

/**
 * `claim(code)` with a code the model knows (`fresh`: one not used yet, if
 * there is one; otherwise any, used and expired ones included), or with junk.
 */
export class ClaimCommand implements Command {
  constructor(
    readonly pick: { readonly index: number; readonly fresh: boolean } | null,
    readonly garbage: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.pick === null || m.claims.length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const unused = m.claims.filter((known) => !known.used);
    const pool = this.pick?.fresh && unused.length > 0 ? unused : m.claims;
    const claim = this.pick === null ? null : pool[this.pick.index % pool.length]!;
    const token = claim === null ? null : m.tokens.find((known) => known.id === claim.tokenId)!;
    const expected = codes();
    if (claim === null || token === null) expected.add('invalid_request').add('not_found');
    else {
      // Single use, until the code expires, and only while the token lives.
      if (claim.used || claim.expiresAt <= m.now || token.purged) expected.add('not_found');
      if (token.revokedAt !== null) expected.add('token_revoked').add('not_found').add('conflict');
    }
    const claimed = expectOutcome(
      await settle(r.service.claim(claim?.code ?? this.garbage)),
      expected,
      this.toString(),
    );
    if (claim !== null) claim.used = true;
    if (claimed === null || token === null) return;
    // Claiming rotates: the new secret is returned once and the old one dies now.
    expect(claimed.token, 'a claim makes a new secret').not.toBe(token.current);
    rollSecret(m, token, claimed.token, null);
    logEvent(m, token, 'claimed');
    expectInfo(m, claimed.info, token, this.toString());
    // The code was used: the same link does not work twice.
    expectOutcome(await settle(r.service.claim(claim!.code)), codes('not_found'), `${this.toString()} again`);
  }
  toString(): string {
    if (this.pick === null) return `claim(garbage ${JSON.stringify(this.garbage)})`;
    return `claim(${this.pick.fresh ? 'fresh' : 'any'} code #${this.pick.index})`;
  }
}

// ------------------------------------------------------- policies and master

export class SetMaxTtlCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly subject: { readonly user: string } | { readonly role: string },
    readonly ttl: string | null,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { tenant, user } = actorOf(this.actor);
    const actorUser = activeUser(m, tenant, user);
    const expected = actorCodes(m, this.actor);
    // Duration policies are set by admins.
    if (actorUser !== null && !actorUser.admin) expected.add('forbidden');
    const ms = this.ttl === null ? null : TTL_CHOICES.find((choice) => choice.ttl === this.ttl)!.ms;
    if (ms === 'invalid') expected.add('invalid_request');
    expectOutcome(
      await settle(r.service.setMaxTtl(this.subject, this.ttl, actorOf(this.actor))),
      expected,
      this.toString(),
    );
    if (expected.size > 0) return;
    const key =
      'user' in this.subject
        ? policyKey(tenant, 'user', this.subject.user)
        : policyKey(tenant, 'role', this.subject.role);
    if (ms === null) m.policies.delete(key);
    else m.policies.set(key, ms as number);
    // The effective maximum of every user is the longest applicable policy, capped by the ceiling.
    for (const name of ['alice', 'analyst', 'bob']) {
      if (activeUser(m, tenant, name) === null) continue;
      const explained = await r.service.explainMaxTtl({ tenant, user: name });
      expect(explained.maxTtl, `${this.toString()}: explainMaxTtl(${name})`).toBe(effectiveMax(m, tenant, name).max);
    }
  }
  toString(): string {
    return `setMaxTtl(${JSON.stringify(this.subject)}, ${JSON.stringify(this.ttl)}, ${this.actor})`;
  }
}

export class EnsureMasterCommand implements Command {
  constructor(readonly user: ActorName) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { tenant, user } = actorOf(this.user);
    const expected = activeUser(m, tenant, user) === null ? codes('not_found', 'invalid_request') : codes();
    const result = expectOutcome(
      await settle(r.service.ensureMasterToken({ tenant, user })),
      expected,
      this.toString(),
    );
    if (result === null) return;
    // Exactly one live master per (tenant, user); the secret is shown only when it is created.
    const existing = tokensOf(m, tenant, user).find((token) => token.type === 'master' && isLive(token, m.now));
    expect(result.created, `${this.toString()}: created`).toBe(existing === undefined);
    if (existing !== undefined) {
      expect('token' in result, 'an existing master is not shown again').toBe(false);
      expectInfo(m, result.info, existing, this.toString());
      return;
    }
    if (!result.created) return;
    // Names are unique among the owner's live tokens, the master's too.
    expect(liveNames(m, tenant, user), `${this.toString()}: the master's name is taken`).not.toContain(
      result.info.name,
    );
    const master: ModelToken = {
      id: result.info.id,
      tenant,
      type: 'master',
      owner: user,
      name: result.info.name,
      comment: result.info.comment,
      grants: null,
      createdAt: m.now,
      // A master lives as long as the membership: it ends only when the user is removed.
      expiresAt: null,
      revokedAt: null,
      rotatedAt: null,
      current: result.token,
      grace: null,
      retired: [],
      purged: false,
      events: [],
    };
    m.tokens.push(master);
    logEvent(m, master, 'issued');
    expectInfo(m, result.info, master, this.toString());
  }
  toString(): string {
    return `ensureMasterToken(${this.user})`;
  }
}

// ------------------------------------------------------- time and directory

export class AdvanceCommand implements Command {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.clock.advance(this.ms);
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `advance(${this.ms} ms ≈ ${(this.ms / 86_400_000).toFixed(2)} d)`;
  }
}

/**
 * Moves the clock exactly onto the next deadline the model knows (a token's
 * expiry, the end of a grace period, a claim code's expiry), where "live"
 * must already have turned into "dead", and checks every secret there.
 */
export class AdvanceToDeadlineCommand implements Command {
  constructor(readonly pick: number) {}
  private deadlines(m: Readonly<Model>): number[] {
    const all = [
      ...m.tokens.flatMap((token) => [token.expiresAt, token.grace?.until ?? null]),
      ...m.claims.map((claim) => claim.expiresAt),
    ];
    return [...new Set(all.filter((at): at is number => at !== null && at > m.now))].sort((a, b) => a - b);
  }
  check(m: Readonly<Model>): boolean {
    return this.deadlines(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const deadlines = this.deadlines(m);
    const at = deadlines[this.pick % deadlines.length]!;
    r.clock.advance(at - m.now);
    m.now = at;
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `advanceToDeadline(#${this.pick})`;
  }
}

export class PurgeCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const count = expectOutcome(await settle(r.service.purgeExpired()), codes(), this.toString());
    // Expired tokens are deleted once the grace window after their expiry has passed.
    const doomed = m.tokens.filter(
      (token) => !token.purged && token.expiresAt !== null && token.expiresAt < m.now - PURGE_AFTER,
    );
    expect(count, 'purged count').toBe(doomed.length);
    for (const token of doomed) token.purged = true;
  }
  toString(): string {
    return 'purgeExpired()';
  }
}

/** The analyst's privileges, and the smaller set they have while demoted. */
const ANALYST_GRANTS: readonly Grant[] = [{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }];
const DEMOTED_GRANTS: readonly Grant[] = [{ bucket: 'in.c-csv-import', access: 'read' }];

/**
 * Changes the directory behind the service's back, as an app does: the
 * analyst is demoted (loses `reports` and write access) or restored, or bob
 * is deactivated or reactivated. Tokens must follow at their next use.
 */
export class DirectoryCommand implements Command {
  constructor(readonly change: 'analyst-demoted' | 'bob-active') {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const acme = r.users.acme!;
    if (this.change === 'bob-active') {
      const bob = m.users.acme!.bob!;
      bob.active = !bob.active;
      acme.bob!.active = bob.active;
      await sweep(m, r, this.toString());
      return;
    }
    const analyst = m.users.acme!.analyst!;
    const full = analyst.grants.some((grant) => 'scope' in grant);
    analyst.grants = structuredClone([...(full ? DEMOTED_GRANTS : ANALYST_GRANTS)]);
    acme.analyst!.grants = structuredClone(analyst.grants);
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `directory(${this.change})`;
  }
}

// ------------------------------------------------------------------- events

/** `events(ref)`: the token's history, newest first, for those who manage it. */
export class EventsCommand implements Command {
  constructor(
    readonly actor: ActorName,
    readonly pick: Pick,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token);
    const page = expectOutcome(
      await settle(r.service.events(token?.id ?? GHOST_ID, actorOf(this.actor), { limit: 1000 })),
      expected,
      this.toString(),
    );
    if (page === null || token === null) return;
    expect(
      page.items.map((event) => [event.type, event.operation, event.at]),
      this.toString(),
    ).toEqual(token.events.map((event) => [event.type, event.operation, event.at]).reverse());
    expectNoSecrets(m, page, this.toString());
  }
  toString(): string {
    return `events(${describeTarget(this.pick)}, ${this.actor})`;
  }
}

/** `record(principal, operation)`: the app notes an operation done with a token that verifies now. */
export class RecordCommand implements Command {
  constructor(
    readonly pick: number,
    readonly operation: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return actingTokens(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const candidates = actingTokens(m);
    const token = candidates[this.pick % candidates.length]!;
    const principal = await r.service.verify(token.current);
    expectOutcome(await settle(r.service.record(principal, this.operation)), codes(), this.toString());
    logEvent(m, token, 'used', this.operation);
  }
  toString(): string {
    return `record(#${this.pick}, ${JSON.stringify(this.operation)})`;
  }
}

/** `pruneEvents()`: events older than six months go. */
export class PruneEventsCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const count = expectOutcome(await settle(r.service.pruneEvents()), codes(), this.toString());
    const cutoff = m.now - EVENT_RETENTION;
    const old = (token: ModelToken): number => token.events.filter((event) => event.at < cutoff).length;
    const known = m.tokens.filter((token) => !token.purged).reduce((sum, token) => sum + old(token), 0);
    // The history of a purged token may have gone with it, or may be pruned now: both are allowed.
    const maybe = m.tokens.filter((token) => token.purged).reduce((sum, token) => sum + old(token), 0);
    expect(count, `${this.toString()}: count`).toBeGreaterThanOrEqual(known);
    expect(count, `${this.toString()}: count`).toBeLessThanOrEqual(known + maybe);
    for (const token of m.tokens) {
      const kept = token.events.filter((event) => event.at >= cutoff);
      token.events.splice(0, token.events.length, ...kept);
    }
  }
  toString(): string {
    return 'pruneEvents()';
  }
}
