import type { SpendRequest, SpendResult } from './metering.js';
import type {
  ClaimRecord,
  DurationPolicy,
  Grant,
  PolicySubject,
  StoredTokenType,
  TokenEvent,
  TokenMeta,
  TokenRecord,
} from './types.js';

/**
 * Storage behind the token service.
 *
 * The interface speaks the domain: each method is one atomic step, and the
 * guarantees the service relies on (one winner of concurrent rotations, the
 * per-owner cap, one master per user, single-use claims) are the
 * repository's to keep, not the caller's. `tokenward/testing` checks every
 * contract below against any implementation.
 *
 * Conventions:
 * - Times are epoch milliseconds. "Live" at time `now` means
 *   `revokedAt === null && (expiresAt === null || expiresAt > now)`.
 * - Methods throw `TokenError('conflict' | 'limit_exceeded')` only where the
 *   contract says so. Any other failure (a lost connection, a disk error) is
 *   thrown as is; the service turns it into `unavailable` and fails closed.
 * - `event`, where accepted, is written in the same atomic step as the change
 *   it describes, so a change and its history are never out of step.
 * - Records returned must not share mutable state with storage: return
 *   copies, or frozen objects that are replaced (never mutated) on change.
 * - Text (names, comments, labels, event operations and details) comes from
 *   the service as well-formed NFC without NUL. Return it exactly as given
 *   and compare names by code points: never normalize, fold or re-encode
 *   (rows written by earlier versions may hold other forms).
 */
/**
 * What `findByIdSync(id, 'verification')` may answer: the record, except
 * that when `secretWords` is set the stored hash is the 32-byte digest in
 * `secretWords[secretWordsAt…secretWordsAt+7]` as big-endian 32-bit words
 * (`digestTextToWords`) and `secretHash` is `''`. The words belong to the
 * store and are valid only until the caller next waits for anything (they
 * are read in the same synchronous run); they must not be written. Without
 * `secretWords` it is a plain `TokenRecord`.
 */
export interface VerificationRecord extends TokenRecord {
  readonly secretWords?: Int32Array;
  readonly secretWordsAt?: number;
}

export interface TokenRepository {
  /**
   * Stores a new non-master token.
   *
   * Atomically, in one step:
   * - if another live token in the same namespace has the same `name`,
   *   throws `TokenError('conflict')`; the namespace is `(tenant, owner)`,
   *   with owner `null` for administrative tokens;
   * - if `limits.maxLivePerOwner` is set and the owner already has that many
   *   live tokens (master tokens do not count), throws
   *   `TokenError('limit_exceeded')`;
   * - otherwise inserts the record and `event`.
   * A record whose `id` exists already is a `conflict`, and so is one whose
   * non-null `lookupHash` another token has (an imported key imported twice).
   */
  insert(record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void>;

  /**
   * Stores the master token of `(record.tenant, record.owner)` unless a live
   * one exists. Exactly one of any number of concurrent calls for the same
   * user creates it; the others get the existing record with `created: false`.
   * `event` is written only when the record is created.
   */
  insertMaster(record: TokenRecord, event?: TokenEvent): Promise<{ created: boolean; record: TokenRecord }>;

  /** The token with this id, revoked and expired ones included, or null. */
  findById(id: string): Promise<TokenRecord | null>;

  /**
   * Optional: `findById`'s answer without a promise, for a store that holds
   * the record at hand (the memory store; a cache). `undefined` means "not
   * at hand": the service then calls `findById`. Verification tries this
   * first, so a store that answers here verifies without an `await`
   * (issue 12). It must answer exactly as `findById` would at that moment,
   * and must not wait for anything. A wrapper that replaces `findById` (to
   * delay, count or fail lookups) must replace or drop this one too, or
   * verification reads past it.
   *
   * Verification asks with `purpose` `'verification'`: a store that keeps
   * stored hashes as digest words (the memory store) may then answer a
   * `VerificationRecord`, whose hash is read as words instead of text
   * (issue 12). Any other store ignores `purpose` (a wrapper that does not
   * pass it on answers plain records, which verify the same way).
   */
  findByIdSync?(id: string, purpose?: 'verification'): VerificationRecord | null | undefined;

  /**
   * The token named `name` in the namespace `(tenant, owner)` (owner `null`
   * for administrative tokens): the live one if there is one, otherwise the
   * most recently created, otherwise null.
   */
  findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null>;

  /**
   * Tokens of a tenant, newest first (`createdAt` then `id` descending),
   * filtered and paged. `cursor` is opaque: pass back `nextCursor` for the
   * next page; it is null on the last page.
   */
  list(query: ListQuery): Promise<{ items: TokenRecord[]; nextCursor: string | null }>;

  /**
   * Compare-and-set: applies `change` only if the stored `version` equals
   * `expectedVersion` and the token is not revoked. The stored version
   * becomes `expectedVersion + 1`. Returns the updated record, or null when
   * the version did not match or the token is revoked or missing; among
   * concurrent calls with the same expected version exactly one succeeds.
   *
   * A change of `name` is refused with `TokenError('conflict')`, and
   * nothing is written, when another unrevoked token of the namespace holds
   * that name, live or expired (an expired holder keeps its name until it is
   * purged, so the live holder of a name is always its newest unrevoked
   * one, as `findByName` relies on). A `lookupHash` another token has is a
   * `conflict` too.
   */
  update(id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent): Promise<TokenRecord | null>;

  /**
   * Revokes one token at `at` if it is not revoked yet (bumping its version).
   * Returns the revoked record, or null if it was missing or already revoked.
   */
  revoke(id: string, at: number, event?: TokenEvent): Promise<TokenRecord | null>;

  /**
   * Revokes every unrevoked token of `(tenant, owner)` at `at`, master tokens
   * only if `includeMaster`. Writes one event per revoked token, built by
   * `event`. Returns how many were revoked.
   */
  revokeOwner(tenant: string, owner: string, at: number, options: RevokeOwnerOptions): Promise<number>;

  /**
   * Records a use: sets `lastUsedAt` to `at` if it is later than the stored
   * value. Does not change `version`; an unknown id is ignored.
   *
   * Bookkeeping, not a decision: the service calls it off the verification
   * path (batched, at most once per `touchInterval` per token), drops or
   * retries it on failure, and never waits for it. A store should therefore
   * fail at once rather than wait when another writer holds a lock it needs
   * (the SQLite store sets its busy wait to zero for these writes).
   */
  touch(id: string, at: number): Promise<void>;

  /**
   * Optional: records several uses in one step, each as `touch` would. When
   * present the service writes its batches through it (SQLite: one
   * transaction instead of one commit per use); otherwise it calls `touch`
   * once per use, one at a time. Any failure may leave the batch partly
   * written: every use is idempotent, and the service retries them.
   */
  touchMany?(uses: readonly TokenUse[]): Promise<void>;

  /**
   * Optional: records a use as `touch` does, in place and at once, for a
   * store that holds its rows in memory (the memory store). When present
   * the service writes each accepted verification's use through it, at
   * most once per `touchInterval` per token (the stored `lastUsedAt`
   * throttles it), instead of batching it for `touch` (issue 12).
   *
   * It must be synchronous and must never block or wait for anything (no
   * I/O, no lock another writer may hold): it runs inside `verify`.
   * `lastUsedAt` only moves forward, `version` does not change, no event is
   * written, and an unknown id is ignored. A throw is caught, never fails
   * the verification, and that use goes to the batched `touch` instead.
   * A wrapper that replaces `touch` (to count, delay or fail writes) must
   * replace or drop this one too, or uses are written past it.
   */
  touchSync?(id: string, at: number): void;

  /**
   * Deletes tokens whose `expiresAt` is before `before`, with their claims,
   * and the expiry-warning markers (`markExpiring`) of expiries before
   * `before`. Returns the count of tokens.
   */
  purgeExpired(before: number): Promise<number>;

  /**
   * The token whose `lookupHash` is one of `hashes` (an imported key's
   * original string, hashed each way it may be stored: its SHA-256 and its
   * keyed HMAC under each pepper version), revoked and expired ones
   * included, or null. An indexed lookup: `lookupHash` is unique.
   */
  findByLookupHash(hashes: readonly string[]): Promise<TokenRecord | null>;

  /**
   * Claims expiry warnings: every unrevoked, enabled token of any tenant
   * that expires after `now` and at or before `now + within`, and has no
   * marker yet for `(within, its expiresAt)`, gets that marker and is
   * returned, soonest expiry first (then id), at most `limit` (1-1000).
   *
   * Atomic: of concurrent calls (on any number of instances), each token is
   * returned by exactly one for a given `within` and expiry. A token whose
   * expiry changes is warned again for the new one. Markers go with
   * `purgeExpired`.
   */
  markExpiring(query: ExpiringMarkQuery): Promise<TokenRecord[]>;

  /**
   * Optional: runs `work` only if no other caller, on any instance sharing
   * this storage, runs work under the same `name` at the moment; answers
   * `{ ran: false }` at once otherwise (it never waits). `startMaintenance`
   * uses it so that one instance of a cluster runs each pass (PostgreSQL:
   * an advisory lock held in a transaction for the duration of `work`).
   * Without it, each instance runs its own passes (their steps are atomic
   * and idempotent, so only work is repeated).
   */
  runExclusive?<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;

  /** Stores a claim; `codeHash` is unique (a duplicate is a `conflict`). */
  insertClaim(claim: ClaimRecord, event?: TokenEvent): Promise<void>;

  /**
   * Consumes a claim: deletes and returns it if it exists and has not expired
   * at `now`. Of concurrent calls for one code, exactly one gets the claim.
   */
  consumeClaim(codeHash: string, now: number): Promise<ClaimRecord | null>;

  /** Sets (or, with `maxTtl: null`, removes) the policy of one subject. */
  setPolicy(tenant: string, subject: PolicySubject, maxTtl: number | null, at: number): Promise<void>;

  /** The policies that apply to a user: their own and those of any of `roles`. */
  policiesFor(tenant: string, user: string, roles: readonly string[]): Promise<DurationPolicy[]>;

  /**
   * Optional, together with `insertAtPolicyVersion`: `policiesFor`'s answer
   * and, read at the same instant (one snapshot), the version of the
   * tenant's policies, an integer that changes with every write to any
   * policy of the tenant (`setPolicy`, or by hand). With both, the service
   * keeps the policies it read (see docs/performance.md, "SQL stores") and
   * `issue` skips the policy read while the version holds (issue 12).
   */
  policiesWithVersion?(tenant: string, user: string, roles: readonly string[]): Promise<VersionedPolicies>;

  /**
   * Optional, together with `policiesWithVersion`: `insert`, made only if
   * the tenant's policy version is still `policyVersion` when the insert is
   * checked, atomically with the name and cap checks: a policy write
   * committed before the call cannot be missed. Answers `true` when the
   * token is stored, `false` (nothing written) when the version has
   * changed; refuses and throws exactly as `insert`.
   */
  insertAtPolicyVersion?(
    record: TokenRecord,
    limits: InsertLimits,
    policyVersion: number,
    event?: TokenEvent,
  ): Promise<boolean>;

  /** Appends one event. */
  appendEvent(event: TokenEvent): Promise<void>;

  /** A token's events, newest first (`at` then `id` descending), paged like `list`. */
  listEvents(query: EventQuery): Promise<{ items: TokenEvent[]; nextCursor: string | null }>;

  /** Deletes events older than `before`. Returns the count. */
  pruneEvents(before: number): Promise<number>;

  /** Releases connections or handles the repository opened itself. */
  close?(): Promise<void>;

  // Rate limits, usage credits and session sign-out (issue 13; docs/limits.md). Optional, so that
  // stores written before them still work; the service refuses what needs them on a store without.

  /**
   * Spends from a token's meter, for one verification: atomically, in one
   * step that concurrent calls from any process or instance sharing the
   * storage cannot interleave with, it applies a refill that has come due,
   * then refuses the spend if `remaining` is below `request.cost`
   * (`usage_exceeded`) or any limit `request.ratelimits` names (null: every
   * limit) lacks `cost` (`rate_limited`), and otherwise takes `cost` from
   * the credits and from each named limit. A refusal changes nothing. The
   * arithmetic, its bounds and `retryAfter` are `spendStep`'s
   * (src/core/metering.ts, docs/limits.md): a store must answer exactly as
   * it does. `version` does not change, and no event is written.
   *
   * Returns null when the token is missing or revoked; a token without a
   * meter is always allowed (`remaining: null`). The service calls it only
   * for tokens with a meter and a cost of 1 or more, after every other
   * check of the verification has passed. Like every change it may wait for
   * a lock, but only as long as the store's documented bound (SQLite:
   * `spendTimeoutMs`).
   */
  spend?(id: string, request: SpendRequest, now: number): Promise<SpendResult | null>;

  /**
   * Writes every refill of usage credits that has come due by `now`
   * (`remaining` back to `refill.amount`, the period start moved on the
   * grid), for maintenance: verification applies refills itself, lazily,
   * so this only keeps stored numbers current. Returns how many tokens were
   * refilled.
   */
  refillCredits?(now: number): Promise<number>;

  /**
   * The token a session was exchanged from and whether the session was
   * signed out, in one lookup where the store can: what verifying a
   * session reads. `parent` is as `findById(parentId)` answers it.
   */
  findSession?(sessionId: string, parentId: string): Promise<SessionLookup>;

  /**
   * Signs a session out: records its id until `expiresAt`, after which the
   * session is dead anyway. Returns false when it was signed out already
   * (idempotent).
   */
  revokeSession?(session: RevokedSession): Promise<boolean>;

  /** Deletes sign-out records of sessions that expired before `before`. Returns the count. */
  pruneRevokedSessions?(before: number): Promise<number>;
}

/** What `findSession` answers. */
export interface SessionLookup {
  /** The token the session was exchanged from, as `findById` answers it. */
  readonly parent: TokenRecord | null;
  /** True when the session was signed out (`revokeSession`). */
  readonly revoked: boolean;
}

/** A signed-out session, kept until it would have expired. */
export interface RevokedSession {
  /** The session's id (`SessionToken.sessionId`). */
  readonly id: string;
  readonly tenant: string;
  /** When the session expires anyway, epoch milliseconds: the record may be pruned after it. */
  readonly expiresAt: number;
}

/** What `revokeOwner` revokes, and the event it writes for each token. */
export interface RevokeOwnerOptions {
  /** Revoke the owner's master token too (the user leaves the tenant). */
  readonly includeMaster: boolean;
  /** Builds the event of each revoked token, from the token as revoked. */
  readonly event?: (record: TokenRecord) => TokenEvent;
}

/** One verified use of a token, for `touchMany`. */
export interface TokenUse {
  readonly id: string;
  /** When the token was used, epoch milliseconds. */
  readonly at: number;
}

/** The policies that apply to a user, and the version of their tenant's policies they were read at. */
export interface VersionedPolicies {
  readonly policies: DurationPolicy[];
  /** Changes with every write to any policy of the tenant; compared for equality only. */
  readonly version: number;
}

/** Limits checked atomically by `insert`. */
export interface InsertLimits {
  /** Maximum number of live non-master tokens per owner. */
  readonly maxLivePerOwner?: number;
  /** The instant that decides which tokens are live. */
  readonly now: number;
}

/** Fields `update` may change. Only the ones present are written. */
export interface RecordChange {
  readonly comment?: string;
  readonly secretHash?: string;
  readonly pepperVersion?: number;
  readonly previousSecretHash?: string | null;
  readonly previousPepperVersion?: number | null;
  readonly previousExpiresAt?: number | null;
  readonly rotatedAt?: number | null;

  // Update in place, enable/disable and imported keys (issue 13).
  /** A new name: refused with `conflict` when another unrevoked token of the namespace holds it. */
  readonly name?: string;
  readonly grants?: readonly Grant[] | null;
  readonly expiresAt?: number | null;
  readonly meta?: TokenMeta | null;
  readonly enabled?: boolean;
  readonly lookupHash?: string | null;
}

/** Filter and page of `list`. */
export interface ListQuery {
  readonly tenant: string;
  /** Only this owner's tokens; `null` for tokens without owner (administrative). Omit for all. */
  readonly owner?: string | null;
  readonly types?: readonly StoredTokenType[];
  readonly includeExpired: boolean;
  readonly includeRevoked: boolean;
  /** The instant that decides which tokens are expired. */
  readonly now: number;
  /** Page size, 1–1000. */
  readonly limit: number;
  readonly cursor?: string | null;
  /**
   * Only tokens that expire at or before this instant (tokens without
   * expiry are left out), and then soonest expiry first (`expiresAt` then
   * `id` ascending) instead of newest first; `cursor` follows that order
   * (`listExpiring`).
   */
  readonly expiringBy?: number;
}

/** What `markExpiring` looks for. Times and durations in milliseconds. */
export interface ExpiringMarkQuery {
  /** The warning threshold: tokens expiring within this long of `now`. */
  readonly within: number;
  readonly now: number;
  /** At most this many tokens, 1–1000. */
  readonly limit: number;
}

/** Page of `listEvents`. */
export interface EventQuery {
  readonly tokenId: string;
  /** Page size, 1–1000. */
  readonly limit: number;
  readonly cursor?: string | null;
}
