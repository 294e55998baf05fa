import { invalid } from './errors.js';
import { findTokens } from './scanning/find.js';
import { PREFIX } from './token-shape.js';

/**
 * @internal Refuses a name, comment or user name that holds a secret this
 * library hands out: a token pasted in the wrong field would otherwise be
 * stored in the clear and shown by every listing and audit entry (docs/cli.md
 * promises listings never show secrets). Looked for:
 *
 * - opaque tokens, whatever their prefix, whose CRC-32 checksum verifies
 *   (`findTokens`: a look-alike passes 1 time in 2^32);
 * - claim codes, `<prefix>_claim_<40 base62 characters>` standing alone;
 * - JWTs (tokens and sessions of the JWT format): a header and a payload
 *   that are base64url JSON objects (`eyJ…`) and a signature.
 *
 * Ordinary text is never that long and that random in one word, so no
 * name is refused for being merely unusual; text shorter than the
 * shortest of these costs one length comparison.
 */

/** Characters of random base62 in a claim code (`<prefix>_claim_<code>`). */
export const CLAIM_CODE_LENGTH = 40;

const CLAIM_CODE = new RegExp(`(?<![0-9A-Za-z_])${PREFIX}_claim_[0-9A-Za-z]{${CLAIM_CODE_LENGTH}}(?![0-9A-Za-z_])`);
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/;
// The shortest of the three: a JWT with the shortest header, payload and signature above.
const SHORTEST = 40;

/** Whether `text` holds a token, claim code or JWT of this library anywhere in it. */
export function holdsSecret(text: string): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, the three searches find nothing in shorter text (a saving, not a check)
  if (text.length < SHORTEST) return false;
  return CLAIM_CODE.test(text) || JWT.test(text) || findTokens(text).length > 0;
}

/**
 * `text`, unless it holds a secret.
 *
 * @throws {TokenError} `invalid_request` naming `field`; the value is not repeated.
 */
export function refuseSecret(text: string, field: string): string {
  if (holdsSecret(text)) {
    throw invalid(field, 'holds a token or claim code; it is not stored (the value is not shown)');
  }
  return text;
}
