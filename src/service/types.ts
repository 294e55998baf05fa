import type { DirectoryStore } from '../core/directory-store.js';
import type { TokenErrorCode } from '../core/errors.js';
import type { SessionCodec, TokenFormat } from '../core/format-types.js';
import type { KeyedHasherFactory, PepperSet } from '../core/hashing.js';
import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal-types.js';
import type { TokenRepository } from '../core/repository.js';
import type { TokenTracer } from '../core/tracing.js';
import type {
  Directory,
  Duration,
  Grant,
  PolicySubject,
  StoredTokenType,
  TokenInfo,
  TokenMeta,
  Ttl,
} from '../core/types.js';
import type { VerificationTokenConfig } from '../core/verification-tokens.js';

/**
 * Who performs a management call:
 * - `{ tenant, user }`: a signed-in user (from the app's own session);
 * - `{ principal }`: a token verified by this service. A verification token
 *   acts as an admin of its tenant that creates no tokens and reaches no
 *   master token (SPEC §2: `not_found`). Any other token
 *   is read again at the call (`token_revoked`, `token_expired`,
 *   `token_invalid` if it no longer verifies) and reaches only tokens within
 *   its own authority (grants now, expiry, powers), under the actor × call
 *   table of docs/concepts.md (issue 8, "authority only narrows"): a target
 *   it may not see answers `not_found`, one it sees but may not change
 *   `forbidden`. It acts only through its current secret: a principal
 *   verified before a rotation is `token_invalid`, and one of a previous
 *   secret in its rotation grace period is `forbidden` on every call;
 * - `'system'`: the application itself, with every right.
 */
export type Actor = TenantUser | { readonly principal: Principal } | 'system';

/** A user of a tenant: the user actor, and the target of `explainMaxTtl` and `ensureMasterToken`. */
export interface TenantUser {
  readonly tenant: string;
  readonly user: string;
}

/** The user whose tokens `revokeAll` and `removeUser` revoke; `tenant` defaults to the actor's. */
export interface UserTarget {
  readonly tenant?: string;
  readonly user: string;
}

/** A token reference: its id, or its name within an owner's tokens. */
export type TokenRef =
  | string
  | { readonly id: string }
  | { readonly tenant?: string; readonly owner: string | null; readonly name: string };

/** What `issue` accepts. */
export interface IssueInput {
  /**
   * Defaults to `personal`, except through a master token: then `limited`,
   * with no grants unless given (Keboola, seed 004: "tokens by default give
   * no access"). `master` tokens come from `ensureMasterToken`.
   */
  readonly type?: Exclude<StoredTokenType, 'master'>;
  /** Defaults to the actor's tenant. */
  readonly tenant?: string;
  /** The owning user (FOR USER, admins only). Defaults to the actor's user. */
  readonly owner?: string;
  /**
   * Unique among the owner's live tokens, decided on its NFC form, which is
   * what is stored; generated when omitted. 1-100 characters of one line,
   * starting with a visible character (docs/tokens-and-grants.md).
   */
  readonly name?: string;
  /** Lifetime; omitted means the default capped by the effective maximum. */
  readonly ttl?: Ttl;
  /** Up to 1000 characters, stored in NFC; tab and newline allowed, other controls not. */
  readonly comment?: string;
  /** Narrowing grants; required meaning for `limited` (default: none at all). */
  readonly grants?: readonly Grant[];
  /**
   * Rate limits (docs/limits.md): one `{ name?, limit, duration }` or a
   * list of up to ten with distinct names (`default` when unnamed).
   * `limit` 1 to 1 000 000, `duration` 1 s to 30 days; each verification
   * spends its cost from the limits it names (all by default).
   */
  readonly ratelimit?: RateLimitInput | readonly RateLimitInput[];
  /**
   * Usage credits, 0 to 10^12: each verification spends its cost; at 0
   * the token is refused with `usage_exceeded`. Default: unlimited, or
   * `refill.amount` when `refill` is given.
   */
  readonly remaining?: number;
  /** Resets `remaining` to `amount` every `interval` (at least 1 s), counted from the token's creation. */
  readonly refill?: { readonly interval: Duration; readonly amount: number };
  /** The application's own JSON object (at most 4096 bytes as JSON), returned on the principal. */
  readonly meta?: TokenMeta | null;
  /** False issues the token disabled (default true): it verifies only once enabled with `update`. */
  readonly enabled?: boolean;
}

/** One rate limit as `issue` takes it: `limit` units per `duration`. */
export interface RateLimitInput {
  /** 1-64 letters, digits or `._:-`; default `default`. Routes name the limits they spend. */
  readonly name?: string;
  readonly limit: number;
  readonly duration: Duration;
}

/**
 * What `update` changes: every field given, and nothing else. `ttl` sets a
 * new expiry counted from now (`null`: none, where allowed). Widening the
 * grants (`null` removes the narrowing) or the lifetime is decided like a
 * rotation; everything else like a comment (docs/concepts.md).
 */
export interface TokenPatch {
  /** A new name, unique among the owner's unrevoked tokens (expired ones keep their names until purged). */
  readonly name?: string;
  readonly comment?: string;
  /** A new metadata object, or null to remove it (replaced whole, never merged). */
  readonly meta?: TokenMeta | null;
  /** False disables the token (`token_disabled` at verification), true enables it again. */
  readonly enabled?: boolean;
  /** New narrowing grants, or null for none (personal and administrative tokens only). */
  readonly grants?: readonly Grant[] | null;
  /** A new lifetime from now, at most the effective maximum; null for no expiry where allowed. */
  readonly ttl?: Ttl;
}

/**
 * One key to import (`importTokens`): what another system stored of it (the
 * SHA-256 of the whole key string), and the token it becomes.
 */
export interface ImportRecord {
  /** The SHA-256 of the whole key, as Unkey's migration API takes it: 64 hex digits, or base64. */
  readonly hash: { readonly value: string; readonly variant: 'sha256_hex' | 'sha256_base64' };
  /**
   * The key's prefix, if the other system recorded it: it must be one of
   * the service's `legacyPrefixes`, since only strings with one of those are
   * looked up as imported keys.
   */
  readonly prefix?: string;
  /** `personal` (default), `limited` or `administrative` (no owner). */
  readonly type?: Exclude<StoredTokenType, 'master'>;
  /** Defaults to the actor's tenant. */
  readonly tenant?: string;
  /** The owning user (required for personal and limited keys when the actor is not a user). */
  readonly owner?: string;
  /** Unique among the owner's live tokens; generated when omitted. */
  readonly name?: string;
  readonly comment?: string;
  readonly grants?: readonly Grant[];
  readonly meta?: TokenMeta | null;
  readonly enabled?: boolean;
  /**
   * When the key expires: a `Date`, an ISO 8601 string or epoch
   * milliseconds, in the future and within the effective maximum lifetime;
   * `null` for none (where allowed). Omitted: the default lifetime, as `issue`.
   */
  readonly expiresAt?: Date | string | number | null;
}

/** The answer of `importTokens`: each record by its position in the input. */
export interface ImportResult {
  /** Keys now stored, with their new token ids. */
  readonly imported: readonly { readonly index: number; readonly info: TokenInfo }[];
  /**
   * Keys the store refused, one by one: `conflict` (the key was imported
   * already, or a live token of the owner has the name) or
   * `limit_exceeded` (the owner's `maxTokensPerUser`). Nothing of them is stored.
   */
  readonly failed: readonly { readonly index: number; readonly code: TokenErrorCode; readonly message: string }[];
}

/** Filter and page of `listExpiring`: `list`'s, with the warning window. */
export interface ExpiringFilter extends Omit<ListFilter, 'hideExpired' | 'hideRevoked'> {
  /** Tokens that expire within this long from now (a `Duration`, such as `'7d'`). */
  readonly within: Duration;
}

/** What `issue`, `rotate` and `claim` return: the token string, shown once. */
export interface IssuedToken {
  /** The secret token string. Shown this once; never stored, never logged. */
  readonly token: string;
  readonly info: TokenInfo;
}

/** Filter and page of `list`. */
export interface ListFilter {
  readonly tenant?: string;
  /** A user's tokens (admins for others), or `null` for administrative tokens. Defaults to the actor's own. */
  readonly owner?: string | null;
  /** Admins only: every token of the tenant. */
  readonly all?: boolean;
  readonly types?: readonly StoredTokenType[];
  /** Hide expired tokens (default true). */
  readonly hideExpired?: boolean;
  /** Hide revoked tokens (default true). */
  readonly hideRevoked?: boolean;
  /** Page size, 1–1000 (default 100). */
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** One page of results. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Token lifetime and creation policy. */
export interface TokenPolicyOptions {
  /** Lifetime when none is asked for (default `'365d'`). */
  readonly defaultTtl?: Duration;
  /** System ceiling: no token lives longer (default `'365d'`). */
  readonly maxTtl?: Duration;
  /** Allow `ttl: null` (no expiry) where no user or role policy applies (default false). */
  readonly allowNoExpiry?: boolean;
  /** Maximum live non-master tokens per user, enforced atomically (default unlimited). */
  readonly maxTokensPerUser?: number;
  /** `'users'` (default): users issue their own; `'admins'`: only admins issue tokens (CloudBeaver). */
  readonly creation?: 'users' | 'admins';
  /** How long expired tokens stay before `purgeExpired` deletes them (default `'30d'`). */
  readonly purgeAfter?: Duration;
  /** How long events are kept before `pruneEvents` deletes them (default `'183d'`, six months). */
  readonly eventRetention?: Duration;
  /** Lifetime of share claim codes (default `'7d'`). */
  readonly claimTtl?: Duration;
  /**
   * The longest `gracePeriod` a rotation may give the old secret (default `'7d'`,
   * as long as Stripe lets a rolled key live on); a longer one is refused with
   * `duration_exceeds_policy`. An old secret that lives on is a second key.
   */
  readonly maxGracePeriod?: Duration;
}

/** Options of `createTokenService`. */
export interface TokenServiceOptions {
  readonly repository: TokenRepository;
  /** Server-side secret keying the stored hashes (at least 32 bytes), or a versioned set. */
  readonly pepper: string | Uint8Array | PepperSet;
  /** Token prefix, 1–20 lowercase letters or digits (default `tw`). Lets secret scanners recognize leaks. */
  readonly prefix?: string;
  /**
   * Who the users are. Required for personal, limited and master tokens,
   * unless `directoryStore` is given.
   */
  readonly directory?: Directory;
  /**
   * The store-backed directory (`memoryDirectoryStore`, `sqliteDirectoryStore`,
   * `postgresDirectoryStore`): its users are the service's directory, managed
   * through `service.directory` (docs/concepts.md). Not with `directory`.
   */
  readonly directoryStore?: DirectoryStore;
  readonly policy?: TokenPolicyOptions;
  /**
   * Static verification tokens accepted by `verify`: a list of secrets (16 to
   * 4096 printable ASCII characters, no spaces at the ends, each listed once)
   * or `{ secret, tenant?, name? }` objects.
   */
  readonly verificationTokens?: readonly (string | VerificationTokenConfig)[];
  /** Refuse verification tokens: only issued tokens are accepted (default false). */
  readonly personalTokensOnly?: boolean;
  /**
   * Accept issued tokens at all (default true). False: only verification
   * tokens work, so at least one must be listed, `personalTokensOnly` must
   * not be true and `sessions` cannot be used.
   */
  readonly enablePersonalTokens?: boolean;
  /** Tenant of verification tokens that name none (default `default`). */
  readonly defaultTenant?: string;
  /**
   * Minimum interval between `lastUsedAt` writes per token and process
   * (default `'1m'`). The writes never hold up `verify`: they are batched
   * and written later, off the verification path (docs/storage.md,
   * "Last-used bookkeeping").
   */
  readonly touchInterval?: Duration;
  /** The token string format (default: the opaque checksummed format). */
  readonly format?: TokenFormat;
  /** Short-lived sessions bound to a token (`exchange`); off unless a codec is given. */
  readonly sessions?: SessionOptions;
  /**
   * HMAC-SHA-256 of secrets under the pepper (default `portableHasher`, our
   * own SHA-256 with precomputed keyed states and a string fast path);
   * `nodeHasher` from `tokenward/node` for OpenSSL. Every hasher gives the
   * same stored hashes; a custom one is checked against the default on a test
   * message at construction.
   */
  readonly hasher?: KeyedHasherFactory;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Random bytes (default `crypto.getRandomValues`). */
  readonly random?: (length: number) => Uint8Array;

  // Imported keys, hooks, logging, tracing and expiry warnings (issue 13).
  /**
   * Prefixes of keys imported from another system (`importTokens`), such as
   * `['sk_live_']`: a string that is not a tokenward token and starts with
   * one is looked up by its hash. The one exception to "garbage is rejected
   * without touching storage". No verification token may start with one.
   */
  readonly legacyPrefixes?: readonly string[];
  /** Lifecycle hooks, called after the change is stored (see `TokenHooks`). */
  readonly hooks?: TokenHooks;
  /** Where failures no caller sees are reported (default: the console). Never given a secret. */
  readonly logger?: Logger;
  /** Spans around every call (`openTelemetryTracer()` from `tokenward/otel`, or your own). */
  readonly tracer?: TokenTracer;
  /**
   * The warning thresholds of `onExpiring` (default `['7d', '1d']`): a
   * token is announced once per threshold when it comes within it.
   */
  readonly expiryWarnings?: readonly Duration[];
}

/** What a lifecycle hook receives. */
export interface TokenHookEvent {
  /** The token as the change left it (never its secret). */
  readonly token: TokenInfo;
  /** Who made the change (`user:alice`, `token:<id>`, `system`, `claim:<sharer>`). */
  readonly actor: string;
  readonly at: Date;
}

/** What `onVerificationFailed` receives: the code, never the string. */
export interface VerificationFailure {
  readonly code: TokenErrorCode;
  /** The stored token the string named (by its embedded id), or null when it named none. */
  readonly tokenId: string | null;
  readonly at: Date;
}

/** What `onExpiring` receives: a token that came within a warning threshold. */
export interface ExpiringToken {
  readonly token: TokenInfo;
  /** The threshold, in milliseconds (one of `expiryWarnings`). */
  readonly within: number;
  readonly expiresAt: Date;
}

/**
 * Lifecycle hooks. Each runs after its change is stored; the call does not
 * wait for it, and a hook that throws or rejects is logged and changes
 * nothing. `onExpiring` runs from `runMaintenance`/`startMaintenance`, which
 * do wait for it, once per token and threshold (a marker is stored first,
 * so a failed hook is not called again for that threshold).
 */
export interface TokenHooks {
  readonly onIssued?: (event: TokenHookEvent) => void | Promise<void>;
  readonly onRotated?: (event: TokenHookEvent) => void | Promise<void>;
  readonly onRevoked?: (event: TokenHookEvent) => void | Promise<void>;
  readonly onClaimed?: (event: TokenHookEvent) => void | Promise<void>;
  /** `fields`: what `update` changed (`name`, `comment`, `meta`, `enabled`, `grants`, `expiresAt`). */
  readonly onUpdated?: (event: TokenHookEvent & { readonly fields: readonly string[] }) => void | Promise<void>;
  readonly onImported?: (event: TokenHookEvent) => void | Promise<void>;
  readonly onVerificationFailed?: (failure: VerificationFailure) => void | Promise<void>;
  readonly onExpiring?: (warning: ExpiringToken) => void | Promise<void>;
}

/** Options of `startMaintenance`. */
export interface MaintenanceOptions {
  /** Time between two passes (a `Duration`, at least `'1s'`; default `'1h'`). */
  readonly interval?: Duration;
  /** Run a pass at once rather than after the first interval (default true). */
  readonly runAtStart?: boolean;
  /** Called with every pass's report (after it is logged if a task failed). */
  readonly onPass?: (report: MaintenanceReport) => void;
}

/** What one maintenance pass did. */
export interface MaintenanceReport {
  readonly startedAt: Date;
  /** True when another instance was running a pass (PostgreSQL): this one did nothing. */
  readonly skipped: boolean;
  /** Each task in order: how many things it handled, or the code it failed with. */
  readonly tasks: readonly { readonly name: string; readonly count: number; readonly error?: string }[];
}

/** A running `startMaintenance`. */
export interface MaintenanceHandle {
  /** Stops the timer and waits for a pass in progress. Idempotent. */
  stop(): Promise<void>;
}

/** Session exchange settings. */
export interface SessionOptions {
  readonly codec: SessionCodec;
  /** Session lifetime when none is asked for (default `'15m'`; never above `maxTtl`, the smaller applies). */
  readonly defaultTtl?: Duration;
  /** Longest session allowed (default `'12h'`); never past the parent's expiry. */
  readonly maxTtl?: Duration;
}

/** Options of `exchange`. */
export interface ExchangeOptions {
  /** The session's lifetime (default: `sessions.defaultTtl`; at most `sessions.maxTtl`, never past the parent's expiry). */
  readonly ttl?: Duration;
}

/** The answer of `exchange`. */
export interface SessionToken {
  /** The session token string. */
  readonly token: string;
  readonly sessionId: string;
  readonly parentId: string;
  readonly expiresAt: Date;
}

/** Options of `verify`. */
export interface VerifyOptions {
  /** Reject tokens of any other tenant. */
  readonly tenant?: string;
  /**
   * What this verification spends from a metered token (docs/limits.md):
   * a whole number from 0 to 1 000 000 (default 1), taken from its usage
   * credits and from each rate limit `ratelimit` names. 0 spends and checks
   * nothing. Tokens without limits or credits ignore it.
   */
  readonly cost?: number;
  /** The rate limits to spend, by name (default: every limit of the token); names the token lacks spend nothing. */
  readonly ratelimit?: string | readonly string[];
}

/** Options of `rotate`. */
export interface RotateOptions {
  /**
   * Keep the old secret working this long (never past the token's expiry); at
   * most the policy's `maxGracePeriod` (default `'7d'`), else
   * `duration_exceeds_policy` with `details.field` `gracePeriod`.
   */
  readonly gracePeriod?: Duration;
}

/** What `rotate` answers: the new token string, the token's info, and when the old secret stops working. */
export interface RotatedToken extends IssuedToken {
  /**
   * When the old secret stops being accepted, as stored (the record's
   * `previousExpiresAt`): the rotation's clock time plus `gracePeriod`, at
   * most the token's expiry. Null without a grace period (it stopped now).
   * It is counted on the clock, not from `info.rotatedAt`, which may run a
   * few milliseconds ahead of it (each rotation's stamp is strictly after
   * the last one, even under a frozen or stepped-back clock).
   */
  readonly graceEndsAt: Date | null;
}

/** Options of `share`. */
export interface ShareOptions {
  /** How long the claim code is valid (default: the policy's `claimTtl`). */
  readonly ttl?: Duration;
}

/** A share: a single-use claim code to hand over instead of the token. */
export interface ShareResult {
  /** Single-use claim code; claiming rotates the token and returns the new secret. */
  readonly code: string;
  readonly tokenId: string;
  readonly expiresAt: Date;
}

/** The answer of `ensureMasterToken`. */
export type EnsureMasterResult =
  | { readonly created: true; readonly token: string; readonly info: TokenInfo }
  | { readonly created: false; readonly info: TokenInfo };

/** Options of `events`. */
export interface EventsOptions {
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** A max-duration policy target: a user or a role. */
export type PolicyTarget = { readonly user: string } | { readonly role: string };

/** What `setMaxTtl` sets a policy on: a user or a role, in `tenant` (default: the actor's). */
export type MaxTtlTarget = { readonly tenant?: string } & PolicyTarget;

export type { TokenTracer, TraceSpan } from '../core/tracing.js';
export type { PolicySubject };
