import { type Authority, within } from './authority.js';
import type { StoredTokenType, TokenRecord } from './types.js';

/**
 * @internal What a token may do when it acts on management calls: the
 * actor × call table of docs/concepts.md (issue 8), and the verdict on one
 * call aimed at one token. Users, admins, the system and verification
 * tokens are roots and are not decided here.
 */

/** The rows of the table: the stored token types, and sessions from `exchange`. */
export type TokenActorKind = StoredTokenType | 'session';

/** Calls aimed at one token. `read` is `get`, `events` and a token's place in `list`. */
export type TargetedCall = 'read' | 'rotate' | 'share' | 'revoke' | 'comment';

/** Which tokens a call may be aimed at: the actor itself, its owner's tokens, or its tenant's. */
export type Reach = 'self' | 'own' | 'tenant';

/** One row of the table. `null`: the call is refused. */
export interface TableRow {
  /** May create tokens (FOR USER and administrative ones only with the `admin` power). */
  readonly issue: boolean;
  /** `parent`: reads what the token it was exchanged from reads. */
  readonly read: Reach | 'parent';
  readonly rotate: Reach | null;
  readonly share: Reach | null;
  readonly revoke: Reach | null;
  readonly comment: Reach | null;
  /** May revoke all of its own user's tokens. */
  readonly revokeAll: boolean;
  /** May set duration policies (with the `admin` power only). */
  readonly setMaxTtl: boolean;
}

const REFUSED = { rotate: null, share: null, comment: null, revokeAll: false, setMaxTtl: false } as const;

/**
 * The table. Every targeted call also requires the target's authority to be
 * within the actor's (`within`), and never reaches a master token other
 * than the actor itself; the service's own rules (a master token is never
 * shared, revoked or commented) apply on top.
 */
export const TOKEN_ACTOR_TABLE: Readonly<Record<TokenActorKind, TableRow>> = {
  // Reads its tenant when its owner is an admin (the `tenant` power widens `own` for reading).
  master: {
    issue: true,
    read: 'own',
    rotate: 'own',
    share: 'own',
    revoke: 'own',
    comment: 'own',
    revokeAll: true,
    setMaxTtl: true,
  },
  personal: {
    issue: false,
    read: 'own',
    rotate: 'own',
    share: 'own',
    revoke: 'own',
    comment: 'own',
    revokeAll: false,
    setMaxTtl: false,
  },
  // Revoking itself is RFC 7009's "the holder may revoke the token".
  limited: { ...REFUSED, issue: false, read: 'self', revoke: 'self' },
  administrative: { ...REFUSED, issue: false, read: 'tenant', rotate: 'self', revoke: 'tenant', comment: 'tenant' },
  // Sessions never produce or change secrets; they read as their parent. A session revokes no
  // stored token: its "itself (sign-out)" cell is the service's (src/service/sign-out.ts).
  session: { ...REFUSED, issue: false, read: 'parent', revoke: null },
};

/** A token acting, as far as the table cares. */
export interface TokenActor {
  readonly kind: TokenActorKind;
  /** The stored token that acts (for a session, the token it was exchanged from). */
  readonly id: string;
  /** That stored token's type: the row a session reads with. */
  readonly storedType: StoredTokenType;
  /** That stored token's authority now. */
  readonly authority: Authority;
}

/** The reach of `call` for this actor, or null when its row refuses the call. */
export function reachOf(actor: TokenActor, call: TargetedCall): Reach | null {
  const row = TOKEN_ACTOR_TABLE[actor.kind];
  const reach = row[call] === 'parent' ? TOKEN_ACTOR_TABLE[actor.storedType].read : row[call];
  if (call === 'read' && reach === 'own' && actor.authority.powers.includes('tenant')) return 'tenant';
  return reach as Reach | null;
}

/** True when `record` is among the tokens `reach` names for this actor. */
export function reaches(actor: TokenActor, record: TokenRecord, reach: Reach): boolean {
  if (record.tenant !== actor.authority.tenant) return false;
  // A master token is reached through no token but itself (SPEC §2).
  if (record.type === 'master' && record.id !== actor.id) return false;
  if (reach === 'self') return record.id === actor.id;
  if (reach === 'own') return record.owner !== null && record.owner === actor.authority.owner;
  return true;
}

/**
 * The verdict on `call` aimed at `record`, whose authority now is `target`:
 * `hidden` when the actor may not even read it (the service answers
 * `not_found`, so its existence does not leak), `forbidden` when it may
 * read it but not do this, else `allowed`.
 */
export function decide(
  actor: TokenActor,
  record: TokenRecord,
  target: Authority,
  call: TargetedCall,
): 'allowed' | 'hidden' | 'forbidden' {
  if (!reaches(actor, record, reachOf(actor, 'read')!) || !within(target, actor.authority)) return 'hidden';
  const reach = reachOf(actor, call);
  return reach !== null && reaches(actor, record, reach) ? 'allowed' : 'forbidden';
}
