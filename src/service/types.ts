import type { Principal } from '../core/principal-types.js';
import type { TokenRepository } from '../core/repository.js';
import type { Directory, Grant, PolicySubject, StoredTokenType, TokenEvent, TokenInfo } from '../core/types.js';

/** A duration: `'90s'`, `'15m'`, `'24h'`, `'30d'`, `'2w'`, `'1y'`, or milliseconds. */
export type Duration = string | number;

/** A token lifetime: a duration, or `null` for no expiry. */
export type Ttl = Duration | null;

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
export type Actor = { readonly tenant: string; readonly user: string } | { readonly principal: Principal } | 'system';

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

/** Where an effective maximum lifetime came from. */
export type MaxTtlSource =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'role'; readonly name: string }
  | { readonly kind: 'system' };

/** The answer of `explainMaxTtl`. */
export interface MaxTtlExplanation {
  /** Effective maximum lifetime in milliseconds. */
  readonly maxTtl: number;
  /** The policy that set it (the least restrictive applicable one), or the system default. */
  readonly source: MaxTtlSource;
  /** True when the winning policy was above the system ceiling and was capped. */
  readonly capped: boolean;
  /** Every policy that applied, for display. */
  readonly applicable: readonly { readonly source: MaxTtlSource; readonly maxTtl: number }[];
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

/** A static verification token from configuration (Database Lab Engine's engine token). */
export interface VerificationTokenConfig {
  readonly secret: string;
  /** Tenant the token guards (default: the service's `defaultTenant`). */
  readonly tenant?: string;
  /** Name shown as the principal's name and token id (default `verification`). */
  readonly name?: string;
}

/** Versioned peppers: rotate by adding a new version and making it current. */
export interface PepperSet {
  readonly current: number;
  readonly peppers: Readonly<Record<number, string | Uint8Array>>;
}

/**
 * Computes HMAC-SHA-256 under a fixed key: called once per pepper version
 * with the pepper's bytes; the returned function is called on every issue
 * and verification with a message's bytes (the UTF-8 of a secret, lone
 * surrogates as U+FFFD) and returns the 32-byte MAC. It should reuse the
 * keyed state, must run synchronously, and must not keep `message`, whose
 * buffer the service reuses. A MAC of any other length never verifies.
 *
 * The default, `portableHasher`, is not called through this interface by
 * the service: it hashes secret strings directly (see `portableHasher`).
 */
export type KeyedHasherFactory = (key: Uint8Array) => (message: Uint8Array) => Uint8Array;

/** Options of `createTokenService`. */
export interface TokenServiceOptions {
  readonly repository: TokenRepository;
  /** Server-side secret keying the stored hashes (at least 32 bytes), or a versioned set. */
  readonly pepper: string | Uint8Array | PepperSet;
  /** Token prefix, 1–20 lowercase letters or digits (default `tw`). Lets secret scanners recognize leaks. */
  readonly prefix?: string;
  /** Who the users are. Required for personal, limited and master tokens. */
  readonly directory?: Directory;
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

/** What a token string carries, once parsed. */
export interface ParsedToken {
  readonly id: string;
  /** The secret part, checked against the stored keyed hash. */
  readonly secret: string;
  /** The token type its code says (checked against the record). */
  readonly type: StoredTokenType;
  /**
   * What the string itself says about the token, for formats that carry
   * claims (JWT). The service refuses the token (`token_invalid`) unless
   * `tenant` and `owner` equal the stored record's; `expiresAt` (epoch
   * milliseconds) ends the token even where the record would not, so the
   * stricter of the two governs. Opaque strings carry none.
   */
  readonly claims?: ParsedClaims;
}

/** The claims a parsed token string makes about its token (see `ParsedToken.claims`). */
export interface ParsedClaims {
  readonly tenant: string;
  /** The owning user, or null for a token without owner (administrative). */
  readonly owner: string | null;
  /** When the string stops being accepted, in epoch milliseconds. */
  readonly expiresAt: number;
}

/** What a format needs to build a token string. */
export interface TokenMaterial {
  readonly id: string;
  readonly secret: string;
  readonly type: StoredTokenType;
  readonly tenant: string;
  readonly owner: string | null;
  readonly issuedAt: number;
  readonly expiresAt: number | null;
}

/**
 * How token strings look. The default is the opaque checksummed format;
 * `tokenward/jwt` provides a signed-JWT format.
 */
export interface TokenFormat {
  readonly kind: string;
  /** Builds the token string shown to the user. */
  encode(material: TokenMaterial): string | Promise<string>;
  /**
   * Parses a string without touching storage. Returns null when the string is
   * not a token of this format (bad shape, bad checksum, bad signature). May
   * throw `TokenError` with a more precise code (for example `token_expired`
   * for a JWT past its `exp`); must never throw anything else.
   */
  parse(token: string): ParsedToken | null | Promise<ParsedToken | null>;
  /** Cheap shape test for scanners and extraction (no checksum or signature check needed). */
  looksLike(token: string): boolean;
}

/** Claims of a session token: who it was exchanged from, and until when it lives. */
export interface SessionClaims {
  readonly sessionId: string;
  /** The id of the long-lived token it was exchanged from. */
  readonly parentId: string;
  readonly tenant: string;
  /**
   * The parent's `rotatedAt` when the session was made (null if never
   * rotated). A rotation of the parent changes it and so ends the session.
   */
  readonly parentRotatedAt: number | null;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/**
 * Signs and checks session tokens; `tokenward/jwt` provides one on jose.
 * `parse` returns null for strings that are not its sessions and throws
 * `TokenError` (`token_invalid`, `token_expired`) for ones that are but fail.
 */
export interface SessionCodec {
  readonly kind: string;
  sign(claims: SessionClaims): Promise<string>;
  parse(token: string): Promise<SessionClaims | null>;
  looksLike(token: string): boolean;
}

/** Session exchange settings. */
export interface SessionOptions {
  readonly codec: SessionCodec;
  /** Session lifetime when none is asked for (default `'15m'`; never above `maxTtl`, the smaller applies). */
  readonly defaultTtl?: Duration;
  /** Longest session allowed (default `'12h'`); never past the parent's expiry. */
  readonly maxTtl?: Duration;
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

/** The token service: every management and verification call. */
export interface TokenService {
  issue(input: IssueInput, actor: Actor): Promise<IssuedToken>;
  verify(token: string, options?: VerifyOptions): Promise<Principal>;
  rotate(ref: TokenRef, actor: Actor, options?: RotateOptions): Promise<IssuedToken>;
  revoke(ref: TokenRef, actor: Actor): Promise<TokenInfo>;
  revokeAll(target: { readonly tenant?: string; readonly user: string }, actor: Actor): Promise<number>;
  removeUser(target: { readonly tenant?: string; readonly user: string }, actor: Actor): Promise<number>;
  list(filter: ListFilter, actor: Actor): Promise<Page<TokenInfo>>;
  get(ref: TokenRef, actor: Actor): Promise<TokenInfo>;
  updateComment(ref: TokenRef, comment: string, actor: Actor): Promise<TokenInfo>;
  /**
   * Sets (or with `null` removes) the maximum lifetime of a user's or a
   * role's tokens; admins only. Setting a user's needs a user the directory
   * knows and keeps active (`not_found` otherwise); roles cannot be checked
   * through the directory, so any role name is accepted.
   *
   * @throws {TokenError} `invalid_request`, `forbidden`, `not_found`, `unavailable`.
   */
  setMaxTtl(target: { readonly tenant?: string } & PolicyTarget, ttl: Duration | null, actor: Actor): Promise<void>;
  explainMaxTtl(target: { readonly tenant: string; readonly user: string }): Promise<MaxTtlExplanation>;
  ensureMasterToken(target: { readonly tenant: string; readonly user: string }): Promise<EnsureMasterResult>;
  share(ref: TokenRef, actor: Actor, options?: ShareOptions): Promise<ShareResult>;
  claim(code: string): Promise<IssuedToken>;
  /**
   * Turns a verified long-lived token into a short-lived session token bound
   * to it (requires `sessions`). `verify` accepts the session while its
   * parent stays live and unrotated.
   */
  exchange(token: string, options?: { readonly ttl?: Duration }): Promise<SessionToken>;
  events(ref: TokenRef, actor: Actor, options?: EventsOptions): Promise<Page<TokenEvent>>;
  /**
   * Appends a `used` event to the token's history. `operation` is one line
   * of 1-200 characters; `detail` a JSON object of at most 4096 UTF-8 bytes.
   * Both are checked like names and comments and stored in NFC.
   *
   * @throws {TokenError} `invalid_request` naming `principal`, `operation` or `detail.<key>`; `unavailable`.
   */
  record(principal: Principal, operation: string, detail?: Readonly<Record<string, unknown>>): Promise<void>;
  pruneEvents(): Promise<number>;
  purgeExpired(): Promise<number>;
}

/** A max-duration policy target: a user or a role. */
export type PolicyTarget = { readonly user: string } | { readonly role: string };

export type { PolicySubject };
