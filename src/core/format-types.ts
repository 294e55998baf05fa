/**
 * How token and session strings look: the interfaces a format implements
 * (`opaqueFormat`, `tokenward/jwt`) and what they carry. Times are epoch
 * milliseconds, as in the repository contract.
 */
import type { StoredTokenType } from './types.js';

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
  /**
   * True when the string carries its own expiry (a JWT's signed `exp`): the
   * stored expiry can then end the token earlier but never later, so the
   * service refuses to extend it (`update` with a later `ttl`). Absent: false.
   */
  readonly signsExpiry?: boolean;
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
