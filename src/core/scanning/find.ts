import { invalid } from '../errors.js';
import { tokenParts } from '../format.js';
import type { StoredTokenType } from '../types.js';
import { TOKEN_PATTERN, type TokenPatternOptions, tokenPattern } from './pattern.js';

/** A token `findTokens` found: well formed and its checksum verified. */
export interface FoundToken {
  /** The whole token, as it appears in the text. */
  readonly token: string;
  /** Index of its first character in the text (UTF-16 code units, as `String.prototype.slice` counts). */
  readonly start: number;
  /** Index just past its last character. */
  readonly end: number;
  /** Its prefix, for example `acme`. */
  readonly prefix: string;
  /** Its token type, from the type code (`a`, `p`, `m`, `l`). */
  readonly type: StoredTokenType;
  /** Its token id (a ULID): safe to log and enough to look the token up or revoke it. */
  readonly id: string;
}

// matchAll copies the expression, so one shared global RegExp is safe here.
const ANY_PREFIX = new RegExp(TOKEN_PATTERN, 'g');

/**
 * Finds the tokenward tokens in arbitrary text (source files, logs, chat
 * exports): every match of `tokenPattern(options)` whose CRC-32 checksum
 * verifies, in order of appearance. Look-alikes that fail the checksum
 * (typos, truncated copies, made-up examples) are left out, so a hit is a
 * token this library issued with near certainty (1 in 2^32 for a random
 * look-alike). Storage is not consulted: whether the token is still live
 * is for `verify` or RFC 7662 introspection to say.
 *
 * A token must stand on its own: letters, digits or `_` right before or
 * after it (`x` + token, token + `_old`) make a longer word, not a token.
 *
 * @param text Any text; not modified.
 * @param options `prefix`: only tokens with this prefix (or these prefixes).
 * @returns The tokens found, empty when none.
 * @throws TokenError `invalid_request` naming `text` when it is not a
 *   string, `prefix` (or `prefix[i]`) for a bad prefix, or `options.<key>`
 *   for an unknown option.
 *
 * @example
 * ```ts
 * import { findTokens } from 'tokenward';
 *
 * const leaks: { id: string; type: string; at: number }[] = [];
 * for (const found of findTokens(logText, { prefix: 'acme' })) {
 *   leaks.push({ id: found.id, type: found.type, at: found.start }); // never the token itself
 *   await service.revoke(found.id, admin);
 * }
 * ```
 */
export function findTokens(text: string, options?: TokenPatternOptions): FoundToken[] {
  if (typeof text !== 'string') throw invalid('text', 'must be a string');
  const pattern = options === undefined ? ANY_PREFIX : new RegExp(tokenPattern(options), 'g');
  const found: FoundToken[] = [];
  for (const match of text.matchAll(pattern)) {
    const token = match[0];
    const parts = tokenParts(token);
    if (parts === null) continue;
    found.push({ token, start: match.index, end: match.index + token.length, ...parts });
  }
  return found;
}
