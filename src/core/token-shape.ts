/**
 * @internal The shape of an opaque token string,
 * `<prefix>_<type code>_<id><secret><checksum>`, written once: the format
 * (`format.ts`), the secret scanners (`scanning/pattern.ts`) and the JWT
 * prefix option build their patterns from these parts. Written without
 * groups, lookaround or backreferences, so the text compiles in RE2
 * (gitleaks, trufflehog), PCRE and JavaScript alike.
 */
import { invalid } from './errors.js';
import type { StoredTokenType } from './types.js';

/** A token prefix: 1–20 lowercase letters or digits, as pattern text. */
export const PREFIX = '[a-z0-9]{1,20}';

const PREFIX_PATTERN = new RegExp(`^${PREFIX}$`);

/**
 * `value` when it is a token prefix (1–20 lowercase letters or digits).
 *
 * @throws {TokenError} `invalid_request` naming `field`.
 */
export function checkPrefix(value: unknown, field: string): string {
  if (typeof value !== 'string' || !PREFIX_PATTERN.test(value)) {
    throw invalid(field, 'must be 1-20 lowercase letters or digits');
  }
  return value;
}

/** Characters of the id: a ULID in Crockford base32. */
export const ID_LENGTH = 26;
/** Characters of the random secret: 30 base62 characters carry 178 bits. */
export const SECRET_LENGTH = 30;
/** Characters of the checksum: a CRC-32 in base62. */
export const CHECKSUM_LENGTH = 6;

/** The type code of each stored token type, the letter after the prefix. */
export const TYPE_CODES: Readonly<Record<StoredTokenType, string>> = {
  administrative: 'a',
  personal: 'p',
  master: 'm',
  limited: 'l',
};

/** The stored token type of each type code. */
export const TYPES_BY_CODE: Readonly<Record<string, StoredTokenType>> = {
  a: 'administrative',
  p: 'personal',
  m: 'master',
  l: 'limited',
};

const TYPE_CODE = '[apml]';
const ID = `[0-9A-HJKMNP-TV-Z]{${ID_LENGTH}}`;
const SECRET_AND_CHECKSUM = `[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}`;

/** Everything after the prefix, as pattern text: `_<type code>_<id><secret><checksum>`. */
export const AFTER_PREFIX = `_${TYPE_CODE}_${ID}${SECRET_AND_CHECKSUM}`;

/** A whole token string, with its prefix, type code, id and secret-and-checksum captured. */
export const TOKEN_SHAPE: RegExp = new RegExp(`^(${PREFIX})_(${TYPE_CODE})_(${ID})(${SECRET_AND_CHECKSUM})$`);

/** The longest token string: a 20-character prefix, the two separators and type code, and the body. */
export const MAX_OPAQUE_LENGTH = 20 + 3 + ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
