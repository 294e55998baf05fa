/**
 * What the model-based test's commands share: how a command picks its
 * token, the error codes a broken rule may answer with, and the
 * comparisons of the service's answers (infos, verifications) with the model.
 */
import type fc from 'fast-check';
import { expect } from 'vitest';
import type { TokenErrorCode } from '../../../src/core/errors.js';
import type { Grant, TokenInfo } from '../../../src/core/types.js';
import type { Actor, TokenRef } from '../../../src/service/types.js';
import type { Harness } from '../../support/service.js';
import { actingToken, actingTokens, type ModelCall, maySee, tokenVerdict, type Who, whoTenant } from './authority.js';
import {
  type ActorName,
  activeUser,
  actorOf,
  allows,
  byName,
  effectiveNeeds,
  isExpired,
  isLive,
  type Model,
  type ModelToken,
  NEEDS,
  type NeedKey,
  needSet,
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

export function target(model: Model, actor: Who, pick: Pick): ModelToken | null {
  if (pick === 'ghost') return null;
  const manageable = model.tokens.filter((token) => isLive(token, model.now) && maySee(model, actor, token));
  const pool = pick.among === 'manageable' && manageable.length > 0 ? manageable : model.tokens;
  return pool.length === 0 ? null : pool[pick.index % pool.length]!;
}

/** Commands aimed at a token wait until there is one (a missing one is the 'ghost' pick's job). */
export function hasTarget(model: Readonly<Model>, pick: Pick): boolean {
  return pick === 'ghost' || model.tokens.length > 0;
}

export function describeTarget(pick: Pick): string {
  return pick === 'ghost' ? 'ghost' : `${pick.among} #${pick.index}`;
}

export function codes(...list: TokenErrorCode[]): Set<TokenErrorCode> {
  return new Set(list);
}

/** The ways the actor itself can make a call fail before any rule about the token applies (acting tokens verify). */
export function actorCodes(model: Model, actor: Who): Set<TokenErrorCode> {
  if (typeof actor !== 'string') return codes();
  const { tenant, user } = actorOf(actor);
  return activeUser(model, tenant, user) === null ? codes('forbidden') : codes();
}

/**
 * A token the actor may not see is missing to them (a user may also be
 * plainly forbidden); a token acting follows the table: a target it sees
 * but may not `call` is forbidden.
 */
export function lookupCodes(
  model: Model,
  actor: Who,
  token: ModelToken | null,
  call: ModelCall = 'read',
): Set<TokenErrorCode> {
  const found = actorCodes(model, actor);
  const acting = actingToken(model, actor);
  if (token === null || token.purged) return found.add('not_found');
  if (acting === null) return maySee(model, actor, token) ? found : found.add('not_found').add('forbidden');
  const verdict = tokenVerdict(model, acting, token, call);
  return verdict === 'hidden' ? found.add('not_found') : verdict === 'forbidden' ? found.add('forbidden') : found;
}

/** The actor a command passes to the service: a user, or the acting token's principal verified now. */
export async function actorFor(m: Model, r: Real, who: Who): Promise<Actor> {
  const acting = actingToken(m, who);
  return acting === null ? actorOf(who as ActorName) : { principal: await r.service.verify(acting.current) };
}

export function statusOf(token: ModelToken, now: number): string[] {
  // The spec does not say which wins when a token is both revoked and expired.
  if (token.revokedAt !== null) return isExpired(token, now) ? ['revoked', 'expired'] : ['revoked'];
  return isExpired(token, now) ? ['expired'] : ['active'];
}

export function needsOfInfo(grants: readonly Grant[] | null): Set<NeedKey> | null {
  return grants === null ? null : needSet(grants);
}

/** The public view must match the model and never carry a secret (SPEC §3: shown once). */
export function expectInfo(model: Model, info: TokenInfo, token: ModelToken, what: string): void {
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

export function expectNoSecrets(model: Model, value: unknown, what: string): void {
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
export function rollSecret(model: Model, token: ModelToken, fresh: string, graceMs: number | null): void {
  if (token.grace !== null) token.retired.push(token.grace.token);
  token.grace = null;
  if (graceMs === null) token.retired.push(token.current);
  else token.grace = { token: token.current, until: Math.min(model.now + graceMs, token.expiresAt ?? Infinity) };
  token.current = fresh;
  // Each secret's stamp is later than the one before, however still the clock (outside review 3).
  token.rotatedAt = Math.max(model.now, token.createdAt + 1, (token.rotatedAt ?? 0) + 1);
}

export { actingTokens };

/** A reference by id, or by (owner, name) as Tengri's statements name tokens. */
export function refOf(token: ModelToken | null, byId: boolean): TokenRef {
  if (token === null) return GHOST_ID;
  return byId ? token.id : { owner: token.owner, name: token.name };
}

/** The token a reference reaches in the actor's tenant. */
export function resolve(m: Model, actor: Who, token: ModelToken | null, byId: boolean): ModelToken | null {
  if (token === null || byId) return token;
  return byName(m, whoTenant(m, actor), token.owner, token.name);
}

/**
 * Verifies `text` and compares with the model: `accepted` says whether the
 * string is a secret `token` accepts now; then revocation, expiry, the
 * owner's state and the tenant decide; on success the principal must
 * describe the token and allow exactly what the model allows.
 */
export async function expectVerification(
  m: Model,
  r: Real,
  token: ModelToken | null,
  text: string,
  accepted: boolean,
  tenant: 'acme' | 'globex' | undefined,
  what: string,
  graceUntil?: number,
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
    // A secret in its grace period ends with it (SPEC §2).
    expiresAt: graceUntil ?? token.expiresAt,
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
export async function sweep(m: Model, r: Real, what: string): Promise<void> {
  for (const token of m.tokens) {
    await expectVerification(m, r, token, token.current, !token.purged, undefined, `${what}: current #${token.id}`);
    if (token.grace !== null) {
      const accepted = !token.purged && token.grace.until > m.now;
      const graceWhat = `${what}: grace #${token.id}`;
      await expectVerification(m, r, token, token.grace.token, accepted, undefined, graceWhat, token.grace.until);
    }
    for (const old of token.retired) {
      await expectVerification(m, r, token, old, false, undefined, `${what}: retired #${token.id}`);
    }
  }
}
