/**
 * tokenward/secretlint: a secretlint rule that reports tokenward tokens
 * whose CRC-32 checksum verifies, so look-alikes are not reported.
 *
 * ```json
 * // .secretlintrc.json
 * { "rules": [{ "id": "tokenward/secretlint", "options": { "prefix": "acme" } }] }
 * ```
 *
 * @packageDocumentation
 */
import type { SecretLintRuleCreator, SecretLintSourceCode } from '@secretlint/types';
import { invalid } from '../core/errors.js';
import { redact } from '../core/format.js';
import { expectKeys } from '../core/input.js';
import { findTokens } from '../core/scanning/find.js';
import { prefixList } from '../core/scanning/pattern.js';

/** Options of the rule, from `.secretlintrc.json`. */
export interface TokenwardRuleOptions {
  /** Only tokens with this prefix, or one of these (default: any prefix). */
  readonly prefix?: string | readonly string[];
  /**
   * Tokens that may appear: a token id (ULID) or a whole token, or a
   * RegExp-like string such as `"/^demo_/"` tested against the token.
   * For documentation examples and revoked test fixtures.
   */
  readonly allows?: readonly string[];
}

/** The rule's messages. The token itself is never part of a message. */
export const messages = {
  TOKENWARD_TOKEN: {
    en: (props: { TYPE: string; ID: string; SHOWN: string }): string =>
      `found a tokenward ${props.TYPE} token ${props.SHOWN} (checksum verified): revoke token ${props.ID}`,
  },
};

const REGEXP_LIKE = /^\/(.+)\/([dgimsuy]*)$/s;

/** A test for `allows` entries; refuses bad entries with a TokenError naming them. */
function allowTest(allows: unknown): (token: string, id: string) => boolean {
  if (allows === undefined) return () => false;
  if (!Array.isArray(allows)) throw invalid('allows', 'must be an array of strings');
  const tests = allows.map((entry: unknown, i) => {
    if (typeof entry !== 'string' || entry === '') throw invalid(`allows[${i}]`, 'must be a non-empty string');
    const regexpLike = REGEXP_LIKE.exec(entry);
    if (regexpLike === null) return (token: string, id: string) => entry === token || entry === id;
    let pattern: RegExp;
    try {
      pattern = new RegExp(regexpLike[1]!, regexpLike[2]!.replace('g', ''));
    } catch {
      throw invalid(`allows[${i}]`, 'is not a valid regular expression');
    }
    return (token: string) => pattern.test(token);
  });
  return (token, id) => tests.some((test) => test(token, id));
}

/**
 * The secretlint rule (secretlint loads rules by their `creator` export).
 * It reports each token `findTokens` finds, at the token's range, with a
 * message that names its type and id but not its secret.
 *
 * @throws TokenError `invalid_request` when the rule starts with a bad
 *   option: `prefix` (or `prefix[i]`), `allows` (or `allows[i]`), or
 *   `options.<key>` for an unknown one.
 */
export const creator: SecretLintRuleCreator<TokenwardRuleOptions> = {
  messages,
  meta: {
    id: 'tokenward/secretlint',
    recommended: true,
    type: 'scanner',
    supportedContentTypes: ['text'],
  },
  create(context, options) {
    const checked = expectKeys(options, 'options', ['prefix', 'allows']);
    const prefix = prefixList(checked.prefix);
    const allowed = allowTest(checked.allows);
    const t = context.createTranslator(messages);
    return {
      file(source: SecretLintSourceCode) {
        for (const found of findTokens(source.content, prefix === undefined ? undefined : { prefix })) {
          if (allowed(found.token, found.id)) continue;
          const { message, messageId } = t('TOKENWARD_TOKEN', {
            TYPE: found.type,
            ID: found.id,
            SHOWN: redact(found.token),
          });
          // No `data`: secretlint masks data values in messages (its CLI's
          // default), and none of these is secret; the id is what to revoke.
          context.report({ message: { message, messageId, data: undefined }, range: [found.start, found.end] });
        }
      },
    };
  },
};
