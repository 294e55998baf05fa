import type { GrantSet, Need, RateLimit, TokenMeta, TokenType } from './types.js';

/**
 * Who a verified token speaks for: the result of `verify`.
 *
 * `grants` are the token's effective grants at the moment of verification:
 * for personal and limited tokens they already reflect the owner's live
 * privileges from the directory.
 */
export interface Principal {
  /** The token's id (for verification tokens, the configured name). */
  readonly tokenId: string;
  readonly type: TokenType;
  readonly tenant: string;
  /** The owning user; null for administrative and verification tokens. */
  readonly owner: string | null;
  readonly name: string;
  /** Effective grants: `'all'` or the list the token may use now. */
  readonly grants: GrantSet;
  /** Whether the owner is a tenant admin (false for tokens without owner). */
  readonly ownerIsAdmin: boolean;
  readonly expiresAt: Date | null;
  /**
   * The token's metadata (`meta` at issue or update), so an app reads its
   * own ids without a second lookup; null when none was set and for
   * verification tokens.
   */
  readonly meta: TokenMeta | null;
  /** Set when the string verified was a session token exchanged from this token. */
  readonly session?: { readonly id: string; readonly expiresAt: Date };
  /**
   * Usage credits left after this verification spent its cost; present only
   * for a token with credits (docs/limits.md).
   */
  readonly remaining?: number;
  /** The token's rate limits; present only for a token that has some. */
  readonly ratelimits?: readonly RateLimit[];
  /**
   * True when the effective grants cover `need`.
   * @throws {TokenError} `invalid_request` naming `need` for a malformed need;
   *   `forbidden` when called on an object that is not a principal tokenward made.
   */
  can(need: Need): boolean;
  /**
   * Throws `TokenError('insufficient_scope')` naming `need` (in
   * `details.need`) unless `can(need)`; `invalid_request` and `forbidden` as `can`.
   */
  assert(need: Need): void;
}
