/**
 * An independent statement of "authority only narrows" for the property
 * tests, on need sets (as the model test writes grants), not on the
 * service's grant code: what a stored token may do now, and when one
 * token's authority is within another's (issue 8; SPEC §2).
 */
import type { Grant, TokenInfo } from '../../../src/types.js';
import { ALL, covers, intersect, type NeedSet, needSet } from '../model/model.js';

/** A user as the property's directory has them. */
export interface OracleUser {
  readonly admin: boolean;
  readonly grants: readonly Grant[];
}

export type Users = Readonly<Record<string, OracleUser>>;

export interface OracleAuthority {
  readonly tenant: string;
  readonly owner: string | null;
  readonly needs: NeedSet;
  /** The token's own narrowing as needs; everything when it has none. */
  readonly narrowing: NeedSet;
  readonly expiresAt: number | null;
  /** `issue` (master), `admin` (master of an admin), `tenant` (administrative, master of an admin). */
  readonly powers: ReadonlySet<string>;
}

const NOTHING: NeedSet = new Set();

/** What a stored token may do now: SPEC §2's table of token types, read with today's directory. */
export function authorityOf(users: Users, token: TokenInfo): OracleAuthority {
  const narrowing = token.grants === null ? ALL : needSet(token.grants);
  const owner = token.owner === null ? null : (users[token.owner] ?? null);
  let needs: NeedSet;
  const powers = new Set<string>();
  if (token.owner === null) {
    needs = narrowing;
    powers.add('tenant');
  } else if (owner === null) {
    needs = NOTHING;
  } else if (token.type === 'master') {
    needs = ALL;
    powers.add('issue');
    if (owner.admin) powers.add('admin').add('tenant');
  } else {
    needs = intersect(owner.admin ? ALL : needSet(owner.grants), narrowing);
  }
  return {
    tenant: token.tenant,
    owner: token.owner,
    needs,
    narrowing,
    expiresAt: token.expiresAt?.getTime() ?? null,
    powers,
  };
}

/**
 * True when `inner` is within `outer`: same tenant, no need `outer` lacks
 * (for one owner's two tokens, in their narrowing too), an expiry no later
 * (none = never), no power `outer` lacks.
 */
export function inside(inner: OracleAuthority, outer: OracleAuthority): boolean {
  if (inner.tenant !== outer.tenant || !covers(outer.needs, inner.needs)) return false;
  if (inner.owner !== null && inner.owner === outer.owner && !covers(outer.narrowing, inner.narrowing)) return false;
  const later = outer.expiresAt !== null && (inner.expiresAt === null || inner.expiresAt > outer.expiresAt);
  return !later && [...inner.powers].every((power) => outer.powers.has(power));
}
