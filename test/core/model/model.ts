/**
 * A plain model of the token service's observable state, written from the
 * rules of SPEC §2–§5 (not from the service's code): Maps, arrays and small
 * functions that say what must happen. The commands in `commands.ts` run each
 * call against the real service and this model and compare the two.
 */
import type { Grant, Need, StoredTokenType } from '../../../src/core/types.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** System default and ceiling (SPEC §4: 365 days each). */
export const DEFAULT_TTL = 365 * DAY;
export const CEILING = 365 * DAY;
/** How long expired tokens stay before `purgeExpired` deletes them (the service's default window). */
export const PURGE_AFTER = 30 * DAY;
/** How long token events are kept: six months (the service's default, 183 days). */
export const EVENT_RETENTION = 183 * DAY;
/** How long a claim code lives unless `share` asks for less (the service's default). */
export const CLAIM_TTL = 7 * DAY;

/** The name of every master token (the project's choice; SPEC §2 leaves it open), reserved for it. */
export const MASTER_NAME = 'master';

/** The options the model run varies. */
export interface ModelConfig {
  readonly maxTokensPerUser: number;
  readonly allowNoExpiry: boolean;
}

/** A need written as one string (`bucket:in.c-csv-import:read`), so grant sets are plain `Set`s. */
export type NeedKey = string;

/** Everything, as an admin or a master token may do. */
export const ALL = 'all' as const;
export type NeedSet = ReadonlySet<NeedKey> | typeof ALL;

/** A user as the model's directory knows them. */
export interface ModelUser {
  admin: boolean;
  roles: string[];
  grants: Grant[];
  active: boolean;
}

export interface ModelToken {
  readonly id: string;
  readonly tenant: string;
  readonly type: StoredTokenType;
  readonly owner: string | null;
  readonly name: string;
  comment: string;
  /** Narrowing grants as needs; null when the token is not narrowed. */
  readonly grants: ReadonlySet<NeedKey> | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  revokedAt: number | null;
  /** When the secret was last replaced (rotation or claim). */
  rotatedAt: number | null;
  /** The token string that works now. */
  current: string;
  /** The secret replaced by the last rotation, still accepted until `until` (rotation grace). */
  grace: { readonly token: string; readonly until: number } | null;
  /** Strings that once were this token and must never work again. */
  retired: string[];
  /** Deleted by `purgeExpired`. */
  purged: boolean;
  /** The token's history in the order it happened: lifecycle events and app-recorded uses. */
  readonly events: ModelEvent[];
}

export interface ModelEvent {
  readonly type: string;
  /** The app's operation name for `used` events, otherwise the type. */
  readonly operation: string;
  readonly at: number;
}

export interface ModelClaim {
  readonly code: string;
  readonly tokenId: string;
  readonly expiresAt: number;
  used: boolean;
  /** Who shared it (a user, or the token that acted), and when: a claim re-checks the sharer as it is then. */
  readonly sharer: { readonly user: ActorName } | { readonly token: ModelToken };
  readonly createdAt: number;
}

export interface Model {
  now: number;
  readonly config: ModelConfig;
  /** tenant → user → what the directory answers. */
  readonly users: Record<string, Record<string, ModelUser>>;
  /** Every token ever issued, in creation order. */
  readonly tokens: ModelToken[];
  readonly claims: ModelClaim[];
  /** `tenant|user|name` or `tenant|role|name` → max ttl in ms. */
  readonly policies: Map<string, number>;
}

// ------------------------------------------------------------------- grants

/** The needs one grant stands for. Write access to a bucket implies read (SPEC §1). */
export function needsOfGrant(grant: Grant): NeedKey[] {
  if ('bucket' in grant) {
    return grant.access === 'write'
      ? [`bucket:${grant.bucket}:read`, `bucket:${grant.bucket}:write`]
      : [`bucket:${grant.bucket}:read`];
  }
  if ('component' in grant) {
    const actions = grant.actions ?? ['run', 'configure'];
    return actions.map((action) => `component:${grant.component}:${action}`);
  }
  return [`scope:${grant.scope}`];
}

export function needSet(grants: readonly Grant[]): Set<NeedKey> {
  return new Set(grants.flatMap(needsOfGrant));
}

export function needKey(need: Need): NeedKey {
  if ('bucket' in need) return `bucket:${need.bucket}:${need.access}`;
  if ('component' in need) return `component:${need.component}:${need.action}`;
  return `scope:${need.scope}`;
}

export function allows(set: NeedSet, need: Need): boolean {
  return set === ALL || set.has(needKey(need));
}

export function covers(outer: NeedSet, inner: NeedSet): boolean {
  if (outer === ALL) return true;
  if (inner === ALL) return false;
  return [...inner].every((key) => outer.has(key));
}

export function intersect(a: NeedSet, b: NeedSet): NeedSet {
  if (a === ALL) return b;
  if (b === ALL) return a;
  return new Set([...a].filter((key) => b.has(key)));
}

/** The needs the checks compare `principal.can` on: every need the grant pool can touch, and some it cannot. */
export const NEEDS: readonly Need[] = [
  { bucket: 'in.c-csv-import', access: 'read' },
  { bucket: 'in.c-csv-import', access: 'write' },
  { bucket: 'out.c-main', access: 'read' },
  { bucket: 'out.c-main', access: 'write' },
  { component: 'keboola.ex-db-mysql', action: 'run' },
  { component: 'keboola.ex-db-mysql', action: 'configure' },
  { scope: 'reports' },
  { scope: 'checkup_report_create' },
];

// -------------------------------------------------------------------- users

/** The directory user, or null when unknown or inactive (SPEC §2: such an owner's tokens stop working). */
export function activeUser(model: Model, tenant: string, user: string | null): ModelUser | null {
  if (user === null) return null;
  const found = model.users[tenant]?.[user];
  return found?.active ? found : null;
}

/** A user's own privileges: admins have everything in their tenant. */
export function userNeeds(user: ModelUser): NeedSet {
  return user.admin ? ALL : needSet(user.grants);
}

// ------------------------------------------------------------------- tokens

export function isExpired(token: ModelToken, now: number): boolean {
  return token.expiresAt !== null && token.expiresAt <= now;
}

export function isLive(token: ModelToken, now: number): boolean {
  return !token.purged && token.revokedAt === null && !isExpired(token, now);
}

/** Tokens of one owner (null: administrative tokens) of a tenant, purged ones left out. */
export function tokensOf(model: Model, tenant: string, owner: string | null): ModelToken[] {
  return model.tokens.filter((token) => !token.purged && token.tenant === tenant && token.owner === owner);
}

/** Names are unique among the live tokens of one owner (SPEC §5 issue). */
export function liveNames(model: Model, tenant: string, owner: string | null): string[] {
  return tokensOf(model, tenant, owner)
    .filter((token) => isLive(token, model.now))
    .map((token) => token.name);
}

/** The per-user cap counts live tokens the user created; the automatic master token does not take a slot. */
export function liveCapped(model: Model, tenant: string, owner: string): number {
  return tokensOf(model, tenant, owner).filter((token) => token.type !== 'master' && isLive(token, model.now)).length;
}

/**
 * What a verified token may do now (SPEC §2): master and administrative
 * tokens everything in their tenant (an administrative token narrowed by
 * grants only those); personal and limited tokens the owner's privileges as
 * the directory has them now, narrowed by their grants.
 */
export function effectiveNeeds(model: Model, token: ModelToken): NeedSet {
  if (token.type === 'master') return ALL;
  if (token.owner === null) return token.grants ?? ALL;
  const owner = activeUser(model, token.tenant, token.owner);
  const ownerNeeds = owner === null ? new Set<NeedKey>() : userNeeds(owner);
  return intersect(ownerNeeds, token.grants ?? ALL);
}

/** A reference by name finds the live holder of the name, or else the newest token that had it. */
export function byName(model: Model, tenant: string, owner: string | null, name: string): ModelToken | null {
  const named = tokensOf(model, tenant, owner).filter((token) => token.name === name);
  return named.find((token) => isLive(token, model.now)) ?? named[named.length - 1] ?? null;
}

/** Appends to a token's history (SPEC §5: lifecycle events are stored per token automatically). */
export function logEvent(
  model: Model,
  token: ModelToken,
  type: string,
  operation: string = type,
  at: number = model.now,
): void {
  token.events.push({ type, operation, at });
}

// ----------------------------------------------------------------- policies

export function policyKey(tenant: string, kind: 'user' | 'role', name: string): string {
  return `${tenant}|${kind}|${name}`;
}

/**
 * The effective maximum lifetime of a user's tokens (SPEC §4): the longest
 * of the policies on the user and their roles, never above the ceiling;
 * with none, the system ceiling. `fromPolicy` tells the two apart, because
 * a token without expiry is only possible where no policy applies.
 */
export function effectiveMax(model: Model, tenant: string, owner: string | null): { max: number; fromPolicy: boolean } {
  if (owner === null) return { max: CEILING, fromPolicy: false };
  const user = model.users[tenant]?.[owner];
  const keys = [
    policyKey(tenant, 'user', owner),
    ...(user?.roles ?? []).map((role) => policyKey(tenant, 'role', role)),
  ];
  const found = keys.map((key) => model.policies.get(key)).filter((value): value is number => value !== undefined);
  if (found.length === 0) return { max: CEILING, fromPolicy: false };
  return { max: Math.min(Math.max(...found), CEILING), fromPolicy: true };
}

// ------------------------------------------------------------------ actors

/** The actors the commands use: the harness's users, and gina from another tenant. */
export type ActorName = 'alice' | 'analyst' | 'bob' | 'gone' | 'gina';

export function actorOf(name: ActorName): { readonly tenant: string; readonly user: string } {
  return { tenant: name === 'gina' ? 'globex' : 'acme', user: name };
}

/**
 * Who may manage a token (SPEC §2, §5): admins every token of their own
 * tenant, other users only their own; administrative tokens only admins.
 */
export function mayManage(model: Model, actor: ActorName, token: ModelToken): boolean {
  const { tenant, user } = actorOf(actor);
  const found = activeUser(model, tenant, user);
  if (found === null || token.tenant !== tenant) return false;
  return found.admin || token.owner === user;
}
