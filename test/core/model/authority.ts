/**
 * "Authority only narrows" and the actor × call table (issue 8,
 * docs/concepts.md), written for the model on need sets, not taken from the
 * service's code. The model-based test uses it for commands made through a
 * token; the authority properties use it as their oracle.
 */
import type { StoredTokenType } from '../../../src/core/types.js';
import {
  type ActorName,
  ALL,
  activeUser,
  actorOf,
  covers,
  intersect,
  isLive,
  type Model,
  type ModelToken,
  mayManage,
  type NeedSet,
  userNeeds,
} from './model.js';

/** A credential's authority: needs now, its own narrowing, its expiry and its management powers. */
export interface NeedAuthority {
  readonly tenant: string;
  readonly owner: string | null;
  readonly needs: NeedSet;
  /** Its own narrowing as needs; everything when it has none. */
  readonly narrowing: NeedSet;
  readonly expiresAt: number | null;
  /** `issue` (master), `admin` (master of an admin), `tenant` (administrative, master of an admin). */
  readonly powers: ReadonlySet<string>;
  /** What restrains its use; absent for an unmetered token. */
  readonly meter?: ModelMeter;
}

/** A metered token's restraints: credits left now and their refill, rate limits as [name, limit, duration ms]. */
export interface ModelMeter {
  readonly credits: number | null;
  readonly refill: { readonly every: number; readonly amount: number } | null;
  readonly limits: readonly (readonly [string, number, number])[];
}

/** A stored token as far as its authority goes. */
export interface AuthoritySubject {
  readonly tenant: string;
  readonly owner: string | null;
  readonly type: StoredTokenType;
  /** Narrowing grants as needs; null when not narrowed. */
  readonly narrowing: NeedSet | null;
  readonly expiresAt: number | null;
  readonly meter?: ModelMeter;
}

/**
 * What a stored token may do now (SPEC §2), given its owner as the
 * directory has them (null when gone or inactive, or for a token without owner).
 */
export function authorityOf(
  owner: { readonly admin: boolean; readonly needs: NeedSet } | null,
  token: AuthoritySubject,
): NeedAuthority {
  const narrowing = token.narrowing ?? ALL;
  const powers = new Set<string>();
  let needs: NeedSet;
  if (token.owner === null) {
    needs = narrowing;
    powers.add('tenant');
  } else if (owner === null) {
    needs = new Set();
  } else if (token.type === 'master') {
    needs = ALL;
    powers.add('issue');
    if (owner.admin) powers.add('admin').add('tenant');
  } else {
    needs = intersect(owner.needs, narrowing);
  }
  const authority = { tenant: token.tenant, owner: token.owner, needs, narrowing, expiresAt: token.expiresAt, powers };
  return token.meter === undefined ? authority : { ...authority, meter: token.meter };
}

/**
 * Whether `inner` is held back at least as much as `outer` (issue 13): an
 * unmetered outer holds nothing back; otherwise inner has no more credits
 * and no kinder refill where outer counts credits, and, for each of outer's
 * limits, one of the same name with no bigger burst and no higher rate.
 */
function heldBackAsMuch(inner: ModelMeter | undefined, outer: ModelMeter | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  if (outer.credits !== null) {
    if (inner.credits === null || inner.credits > outer.credits) return false;
    const kinder =
      inner.refill !== null &&
      (outer.refill === null || inner.refill.amount > outer.refill.amount || inner.refill.every < outer.refill.every);
    if (kinder) return false;
  }
  return outer.limits.every(([name, limit, duration]) => {
    const same = inner.limits.find(([other]) => other === name);
    return same !== undefined && same[1] <= limit && same[1] / same[2] <= limit / duration;
  });
}

/**
 * True when `inner` is within `outer`: same tenant, no need `outer` lacks
 * (for one owner's two tokens, in their narrowing too), an expiry no later
 * (none = never), no power `outer` lacks, held back by its meter at least as much.
 */
export function inside(inner: NeedAuthority, outer: NeedAuthority): boolean {
  if (inner.tenant !== outer.tenant || !covers(outer.needs, inner.needs)) return false;
  if (inner.owner !== null && inner.owner === outer.owner && !covers(outer.narrowing, inner.narrowing)) return false;
  const later = outer.expiresAt !== null && (inner.expiresAt === null || inner.expiresAt > outer.expiresAt);
  if (later || !heldBackAsMuch(inner.meter, outer.meter)) return false;
  return [...inner.powers].every((power) => outer.powers.has(power));
}

// --------------------------------------------------------------- the model

/** Who makes a call: a user of the harness, or the token at `via` among those that verify now. */
export type Who = ActorName | { readonly via: number };

/** Tokens that verify now, so that their principal can act. */
export function actingTokens(m: Readonly<Model>): ModelToken[] {
  return m.tokens.filter(
    (token) =>
      isLive(token, m.now) && (token.owner === null || activeUser(m as Model, token.tenant, token.owner) !== null),
  );
}

/** A token can act only while some token verifies. */
export function canAct(m: Readonly<Model>, who: Who): boolean {
  return typeof who === 'string' || actingTokens(m).length > 0;
}

/** The acting token `who` names, or null for a user. */
export function actingToken(m: Readonly<Model>, who: Who): ModelToken | null {
  if (typeof who === 'string') return null;
  const tokens = actingTokens(m);
  return tokens[who.via % tokens.length] ?? null;
}

export function whoTenant(m: Readonly<Model>, who: Who): string {
  return actingToken(m, who)?.tenant ?? actorOf(who as ActorName).tenant;
}

export function describeWho(who: Who): string {
  return typeof who === 'string' ? who : `token #${who.via}`;
}

/** A model token's authority now. */
export function modelAuthority(m: Model, token: ModelToken): NeedAuthority {
  const owner = activeUser(m, token.tenant, token.owner);
  return authorityOf(owner === null ? null : { admin: owner.admin, needs: userNeeds(owner) }, {
    ...token,
    narrowing: token.grants,
  });
}

export type ModelCall = 'read' | 'rotate' | 'share' | 'revoke' | 'comment';
type Reach = 'self' | 'own' | 'tenant' | null;

/** The table of docs/concepts.md for stored tokens acting (the model has no sessions). */
const TABLE: Readonly<Record<StoredTokenType, Readonly<Record<ModelCall, Reach>>>> = {
  master: { read: 'own', rotate: 'own', share: 'own', revoke: 'own', comment: 'own' },
  personal: { read: 'own', rotate: 'own', share: 'own', revoke: 'own', comment: 'own' },
  limited: { read: 'self', rotate: null, share: null, revoke: 'self', comment: null },
  administrative: { read: 'tenant', rotate: 'self', share: null, revoke: 'tenant', comment: 'tenant' },
};

/** Which tokens `acting` reaches with `call`: a master reads its tenant when its owner is an admin. */
export function reachOf(m: Model, acting: ModelToken, call: ModelCall): Reach {
  const reach = TABLE[acting.type][call];
  return call === 'read' && reach === 'own' && modelAuthority(m, acting).powers.has('tenant') ? 'tenant' : reach;
}

function inReach(acting: ModelToken, target: ModelToken, reach: Reach): boolean {
  // Never another tenant's token, nor a master other than the acting token itself.
  if (reach === null || target.tenant !== acting.tenant || target.purged) return false;
  if (target.type === 'master' && target.id !== acting.id) return false;
  if (reach === 'self') return target.id === acting.id;
  return reach === 'tenant' || (target.owner !== null && target.owner === acting.owner);
}

/** `hidden` (not_found), `forbidden` (seen but not this call), or `ok`. */
export function tokenVerdict(m: Model, acting: ModelToken, target: ModelToken, call: ModelCall): string {
  const sees = inReach(acting, target, reachOf(m, acting, 'read'));
  if (!sees || !inside(modelAuthority(m, target), modelAuthority(m, acting))) return 'hidden';
  return inReach(acting, target, reachOf(m, acting, call)) ? 'ok' : 'forbidden';
}

/** Whether `who` may read `token`: the user rules, or the table for a token. */
export function maySee(m: Model, who: Who, token: ModelToken): boolean {
  const acting = actingToken(m, who);
  if (acting === null) return mayManage(m, who as ActorName, token);
  return tokenVerdict(m, acting, token, 'read') === 'ok';
}
