import { base62Fixed, base62Value, crc32Ascii } from './encoding.js';
import type { ParsedToken, TokenFormat, TokenMaterial } from './format-types.js';
import { opaqueParser } from './opaque-parse.js';
import { TOKEN_PATTERN } from './scanning/pattern.js';
import {
  CHECKSUM_LENGTH,
  checkPrefix,
  MAX_OPAQUE_LENGTH,
  SECRET_LENGTH,
  TOKEN_SHAPE,
  TYPE_CODES,
  TYPES_BY_CODE,
} from './token-shape.js';
import type { StoredTokenType } from './types.js';

/** Every token in a text, by the scanners' pattern (`\b` on both sides: not inside a longer word). */
const TOKENS_IN_TEXT = new RegExp(TOKEN_PATTERN, 'g');

function checksumOf(head: string): string {
  return base62Fixed(crc32Ascii(head), CHECKSUM_LENGTH);
}

/**
 * Whether the last six characters of `token` are the checksum of the rest.
 * Compared as numbers, so no strings are built on the verification path;
 * six base62 digits can exceed 2^32, and such values never equal a CRC.
 */
function checksumValid(token: string): boolean {
  const end = token.length - CHECKSUM_LENGTH;
  return base62Value(token, end, CHECKSUM_LENGTH) === crc32Ascii(token, end);
}

/** The opaque format: synchronous, so callers need not await it. */
export interface OpaqueFormat extends TokenFormat {
  encode(material: TokenMaterial): string;
  parse(token: string): ParsedToken | null;
}

/**
 * The default token format: `<prefix>_<type code>_<id><secret><checksum>`,
 * for example `acme_p_01JD…` (at most 85 characters, URL- and header-safe).
 * The id is a ULID, the secret 30 random base62 characters (178 bits), and
 * the checksum a CRC-32 of everything before it in 6 base62 characters, so
 * typos and garbage are rejected without a storage lookup and secret
 * scanners can recognize leaked tokens.
 */
export function opaqueFormat(prefix: string): OpaqueFormat {
  checkPrefix(prefix, 'prefix');
  const parse = opaqueParser(prefix);
  return {
    kind: 'opaque',
    encode(material: TokenMaterial): string {
      const head = `${prefix}_${TYPE_CODES[material.type]}_${material.id}${material.secret}`;
      return head + checksumOf(head);
    },
    parse(token: string): ParsedToken | null {
      // One pass for shape and checksum (issue 12), equal to TOKEN_SHAPE + checksumValid.
      return parse(token);
    },
    looksLike(token: string): boolean {
      const match = TOKEN_SHAPE.exec(token);
      return match !== null && match[1] === prefix;
    },
  };
}

/**
 * True when `text` is a well-formed tokenward token with a valid checksum,
 * whatever its prefix. Cheap and storage-free: for secret scanners and for
 * deciding whether a string is worth verifying.
 *
 * @example
 * ```ts
 * import { looksLikeToken } from 'tokenward';
 * looksLikeToken(process.env.API_TOKEN ?? ''); // true for a real token
 * ```
 */
export function looksLikeToken(text: string): boolean {
  if (typeof text !== 'string' || text.length > MAX_OPAQUE_LENGTH) return false;
  return TOKEN_SHAPE.test(text) && checksumValid(text);
}

/**
 * @internal The prefix, type and id of a well-formed token with a valid
 * checksum, whatever its prefix; null for anything else. For scanners.
 */
export function tokenParts(text: string): { prefix: string; type: StoredTokenType; id: string } | null {
  const match = TOKEN_SHAPE.exec(text);
  if (match === null || !checksumValid(text)) return null;
  return { prefix: match[1]!, type: TYPES_BY_CODE[match[2]!]!, id: match[3]! };
}

/**
 * Hides the secret part of every tokenward token in `text`, keeping the
 * prefix, type code and id (enough to find the token, useless to use it).
 * Text without tokens comes back unchanged.
 *
 * @example
 * ```ts
 * import { redact } from 'tokenward';
 * logger.info(redact(`auth failed for ${header}`)); // "… acme_p_01JD…[redacted] …"
 * ```
 */
export function redact(text: string): string {
  if (typeof text !== 'string') return '';
  // A match is `<prefix>_<code>_<id>` and then the 36 characters of secret and checksum, which go.
  return text.replace(
    TOKENS_IN_TEXT,
    (token) => `${token.slice(0, token.length - SECRET_LENGTH - CHECKSUM_LENGTH)}…[redacted]`,
  );
}
