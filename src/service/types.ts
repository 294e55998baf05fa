import type { DirectoryStore } from '../core/directory-store.js';
import type { SessionCodec, TokenFormat } from '../core/format-types.js';
import type { KeyedHasherFactory, PepperSet } from '../core/hashing.js';
import type { Principal } from '../core/principal-types.js';
import type { TokenRepository } from '../core/repository.js';
import type { Directory, Duration, Grant, PolicySubject, StoredTokenType, TokenInfo, Ttl } from '../core/types.js';
import type { VerificationTokenConfig } from '../core/verification-tokens.js';

/**
 * Who performs a management call:
 * - `{ tenant, user }`: a signed-in user (from the app's own session);
 * - `{ principal }`: a token verified by this service. A verification token
 *   acts as an admin of its tenant that creates no tokens. Any other token
 *   is read again at the call (`token_revoked`, `token_expired`,
 *   `token_invalid` if it no longer verifies) and reaches only tokens within
 *   its own authority (grants now, expiry, powers), under the actor × call
 *   table of docs/concepts.md (issue 8, "authority only narrows"): a target
 *   it may not see answers `not_found`, one it sees but may not change
 *   `forbidden`;
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
  /** Defaults to `personal`. `master` tokens come from `ensureMasterToken`. */
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
}

/** Options of `rotate`. */
export interface RotateOptions {
  /** Keep the old secret working this long (never past the token's expiry). */
  readonly gracePeriod?: Duration;
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

export type { PolicySubject };
