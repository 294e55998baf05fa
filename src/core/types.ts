/**
 * The domain vocabulary shared by the service, the repositories and the
 * adapters. Everything here is plain data: no behaviour, no runtime imports.
 */

/** A duration: `'90s'`, `'15m'`, `'24h'`, `'30d'`, `'2w'`, `'1mo'` (30 days), `'1y'` (365 days), or milliseconds. */
export type Duration = string | number;

/** A token lifetime: a duration, or `null` for no expiry. */
export type Ttl = Duration | null;

/** Kinds of token the service issues and stores. */
export type StoredTokenType = 'administrative' | 'personal' | 'master' | 'limited';

/** Every token type, including static verification tokens from configuration. */
export type TokenType = StoredTokenType | 'verification';

/** Access to a storage bucket. `write` implies `read`. */
export type BucketAccess = 'read' | 'write';

/** Actions on a component. */
export type ComponentAction = 'run' | 'configure';

/** Read (or read and write) access to one bucket. */
export interface BucketGrant {
  readonly bucket: string;
  readonly access: BucketAccess;
}

/** Permission to act on a component; no `actions` means every action. */
export interface ComponentGrant {
  readonly component: string;
  readonly actions?: readonly ComponentAction[];
}

/** A free-form scope, for example a platform function name. */
export interface ScopeGrant {
  readonly scope: string;
}

/** One permission a token may carry. */
export type Grant = BucketGrant | ComponentGrant | ScopeGrant;

/** A set of permissions: a list of grants, or everything in the tenant. */
export type GrantSet = readonly Grant[] | 'all';

/** What a request needs, checked with `principal.can(need)`. */
export type Need =
  | { readonly bucket: string; readonly access: BucketAccess }
  | { readonly component: string; readonly action: ComponentAction }
  | { readonly scope: string };

/** What the directory knows about one user of one tenant. */
export interface DirectoryUser {
  /** Roles, used to find max-duration policies. */
  readonly roles?: readonly string[];
  /** Tenant administrators have every grant and may act FOR USER. */
  readonly admin?: boolean;
  /** The user's own grants; `'all'` for full access. Defaults to none. */
  readonly grants?: GrantSet;
  /** `false` disables the user and every token they own. Defaults to true. */
  readonly active?: boolean;
}

/**
 * Where the service asks about users at run time: whether they exist and are
 * active, their roles, whether they are admins, and their own grants.
 * Answers may be synchronous or asynchronous. Only an answer's own
 * properties are read: an inherited field (a key planted on
 * `Object.prototype`) counts as absent.
 */
export interface Directory {
  getUser(tenant: string, user: string): DirectoryUser | null | undefined | Promise<DirectoryUser | null | undefined>;
}

/**
 * A token as the repository stores it. It never holds the token string or its
 * secret: only a keyed hash of the secret.
 */
export interface TokenRecord {
  /** Unique id (a ULID), embedded in the token string. */
  readonly id: string;
  readonly tenant: string;
  readonly type: StoredTokenType;
  /** The owning user; `null` for administrative tokens. */
  readonly owner: string | null;
  /** Unique among the owner's live tokens (per tenant for administrative ones). */
  readonly name: string;
  readonly comment: string;
  /** Narrowing grants; `null` means "no narrowing" (personal, administrative, master). */
  readonly grants: readonly Grant[] | null;
  /** base64url HMAC-SHA-256 of the current secret under pepper `pepperVersion`. */
  readonly secretHash: string;
  readonly pepperVersion: number;
  /** The previous secret's hash, still accepted until `previousExpiresAt` (rotation grace). */
  readonly previousSecretHash: string | null;
  readonly previousPepperVersion: number | null;
  readonly previousExpiresAt: number | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  /**
   * When the current secret replaced the one before (`rotate`, `claim`); null
   * if never. Strictly increasing per token, at least 1 ms after the
   * previous `rotatedAt` and after `createdAt`, so it names one secret
   * exactly (principals and sessions are tied to it): it may run a few ms
   * ahead of the clock when rotations come faster than the clock moves.
   */
  readonly rotatedAt: number | null;
  readonly lastUsedAt: number | null;
  /** Who created it, as a short description (`user:alice`, `token:<id>`, `system`). */
  readonly createdBy: string;
  /** Incremented by every change; the basis of compare-and-set. */
  readonly version: number;
  /**
   * Rate limits and usage credits (docs/limits.md); null for a token with
   * neither, whose verification then writes nothing. Spending it does not
   * change `version`: `spend` is not a compare-and-set change.
   */
  readonly meter: TokenMeter | null;

  // Metadata, enable/disable and imported keys (issue 13).
  /** The application's own JSON object (at most 4096 bytes as JSON), or null. Returned on the principal. */
  readonly meta: TokenMeta | null;
  /** False while the token is disabled: it fails verification with `token_disabled` until enabled again. */
  readonly enabled: boolean;
  /**
   * For a key imported from another system (`importTokens`), the hash its
   * original string is found by: `sha256:<64 hex digits>` of the whole
   * string until its first successful verification, then the keyed HMAC of
   * the string (as `secretHash`). Unique among tokens that have one; null
   * for tokens issued here.
   */
  readonly lookupHash: string | null;
}

/**
 * One rate limit of a token (Unkey's `ratelimits`): at most `limit` units
 * at once, refilled continuously at `limit` per `duration` (a token
 * bucket; docs/limits.md states its bound).
 */
export interface RateLimit {
  /** Unique among the token's limits; routes name the limits they spend. `default` when none was given. */
  readonly name: string;
  /** Units the bucket holds, 1 to 1 000 000. */
  readonly limit: number;
  /** Milliseconds to refill `limit` units, 1 s to 30 days. */
  readonly duration: number;
}

/** How usage credits come back (Unkey's `refill`): `remaining` is reset to `amount` every `interval`. */
export interface Refill {
  /** Milliseconds between refills. */
  readonly interval: number;
  /** What `remaining` is set to at each refill. */
  readonly amount: number;
}

/** A token's rate limits and usage credits, as stored. */
export interface TokenMeter {
  /** The token's rate limits, in the order they were given; may be empty. */
  readonly ratelimits: readonly RateLimit[];
  /**
   * Usage credits left as last written, before any refill that has come
   * due since; null for a token without credits (unlimited use).
   */
  readonly remaining: number | null;
  readonly refill: Refill | null;
  /**
   * The start of the current refill period, epoch milliseconds (the token's
   * creation, then every `refill.interval` after it); null without `refill`.
   */
  readonly lastRefillAt: number | null;
}

/** A token's metadata: a JSON object of the application's own (ids, plan names, labels). */
export type TokenMeta = Readonly<Record<string, unknown>>;

/** A token's state at a given instant. */
export type TokenStatus = 'active' | 'expired' | 'revoked';

/** The public view of a token: everything but its secret hashes and version, with times as `Date`s. */
export interface TokenInfo
  extends Pick<
    TokenRecord,
    'id' | 'tenant' | 'type' | 'owner' | 'name' | 'comment' | 'grants' | 'createdBy' | 'meta' | 'enabled'
  > {
  readonly status: TokenStatus;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly rotatedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** The token's rate limits (empty for none). */
  readonly ratelimits: readonly RateLimit[];
  /** Usage credits left now (a refill that has come due counted), or null for unlimited use. */
  readonly remaining: number | null;
  /** How the credits come back, and when the current period began; null without refill. */
  readonly refill: (Refill & { readonly lastRefillAt: Date }) | null;
}

/** A max-duration policy on a user or a role. */
export interface DurationPolicy {
  readonly tenant: string;
  readonly subject: PolicySubject;
  /** Maximum lifetime in milliseconds. */
  readonly maxTtl: number;
  readonly updatedAt: number;
}

/** Whom a duration policy applies to. */
export type PolicySubject =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'role'; readonly name: string };

/**
 * Lifecycle events the service writes itself, and `used` for app-recorded
 * operations. `updated` is a change by `update` (its detail names the
 * fields), `imported` a key brought in by `importTokens`, `rehashed` an
 * imported key whose SHA-256 was replaced by the keyed HMAC at its first
 * verification.
 */
export type TokenEventType =
  | 'issued'
  | 'rotated'
  | 'revoked'
  | 'comment_updated'
  | 'shared'
  | 'claimed'
  | 'used'
  | 'updated'
  | 'imported'
  | 'rehashed';

/** One entry of a token's history, as the repository stores it (times in epoch milliseconds). */
export interface TokenEvent {
  readonly id: string;
  readonly tokenId: string;
  readonly tenant: string;
  readonly type: TokenEventType;
  /** Who did it (`user:alice`, `token:<id>`, `system`). */
  readonly actor: string;
  /** App-defined operation name for `used` events (`GET /buckets`), otherwise the event type. */
  readonly operation: string;
  /** Small, non-secret JSON detail. */
  readonly detail: Readonly<Record<string, unknown>> | null;
  /** When it happened, epoch milliseconds. */
  readonly at: number;
}

/** One entry of a token's history as the service answers it (`events`): `TokenEvent` with `at` as a `Date`. */
export interface TokenEventInfo extends Omit<TokenEvent, 'at'> {
  /** When it happened (an ISO 8601 string over HTTP). */
  readonly at: Date;
}

/** A pending share: a single-use claim code, stored only as a keyed hash. */
export interface ClaimRecord {
  readonly codeHash: string;
  readonly tokenId: string;
  readonly tenant: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly createdBy: string;
}
