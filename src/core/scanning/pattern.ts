import { invalid } from '../errors.js';
import { expectKeys } from '../keys.js';
import { AFTER_PREFIX, checkPrefix, PREFIX } from '../token-shape.js';

/** Options of `tokenPattern` and `findTokens`. */
export interface TokenPatternOptions {
  /**
   * Only tokens with this prefix, or with one of these prefixes (each 1–20
   * lowercase letters or digits, as in `createTokenService({ prefix })`).
   * Default: any prefix.
   */
  readonly prefix?: string | readonly string[];
}

/**
 * @internal The prefixes a `prefix` option names, checked: undefined for any prefix.
 * @throws TokenError `invalid_request` naming `prefix` (or `prefix[i]`).
 */
export function prefixList(prefix: unknown): readonly string[] | undefined {
  if (prefix === undefined) return undefined;
  const list: readonly unknown[] = Array.isArray(prefix) ? prefix : [prefix];
  if (list.length === 0) throw invalid('prefix', 'must name at least one prefix');
  return list.map((item, i) => checkPrefix(item, Array.isArray(prefix) ? `prefix[${i}]` : 'prefix'));
}

/**
 * The regular expression that finds tokenward tokens in text, as source
 * text: `\b<prefix>_[apml]_<26 Crockford base32><36 base62>\b`. It has no
 * groups, lookaround or backreferences, so it is valid RE2 (Go: gitleaks,
 * trufflehog), PCRE and JavaScript alike; `\b` keeps a token from matching
 * inside a longer word. It checks the shape only: a match is a candidate,
 * and `findTokens` (or `looksLikeToken`) checks its checksum. See
 * docs/scanning.md.
 *
 * @throws TokenError `invalid_request` naming `prefix` for a prefix that
 *   is not 1–20 lowercase letters or digits, or an empty list.
 *
 * @example
 * ```ts
 * import { tokenPattern } from 'tokenward';
 * tokenPattern({ prefix: 'acme' });
 * // '\\bacme_[apml]_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{36}\\b'
 * const candidates = text.match(new RegExp(tokenPattern(), 'g'));
 * ```
 */
export function tokenPattern(options?: TokenPatternOptions): string {
  const prefixes = prefixList(expectKeys(options, 'options', ['prefix']).prefix);
  const head =
    prefixes === undefined ? PREFIX : prefixes.length === 1 ? prefixes[0]! : `(?:${[...new Set(prefixes)].join('|')})`;
  return `\\b${head}${AFTER_PREFIX}\\b`;
}

/**
 * `tokenPattern()`: tokens of any prefix. The text of the rules in
 * `scanners/gitleaks.toml` and `scanners/trufflehog.yaml`.
 *
 * @example
 * ```ts
 * import { TOKEN_PATTERN } from 'tokenward';
 * const leaks = new RegExp(TOKEN_PATTERN, 'g');
 * ```
 */
export const TOKEN_PATTERN: string = tokenPattern();
