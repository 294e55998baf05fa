import type { SecretLintRuleCreator } from '@secretlint/types';
import { describe, expectTypeOf, it } from 'vitest';
import { type FoundToken, findTokens, TOKEN_PATTERN, type TokenPatternOptions, tokenPattern } from '../../src/index.js';
import { creator, type TokenwardRuleOptions } from '../../src/secretlint/index.js';

describe('scanning API types', () => {
  it('findTokens takes text and an optional prefix, and returns found tokens', () => {
    expectTypeOf(findTokens).parameters.toEqualTypeOf<[string, TokenPatternOptions?]>();
    expectTypeOf(findTokens('')).toEqualTypeOf<FoundToken[]>();
    expectTypeOf<FoundToken['type']>().toEqualTypeOf<'administrative' | 'personal' | 'master' | 'limited'>();
    expectTypeOf<TokenPatternOptions['prefix']>().toEqualTypeOf<string | readonly string[] | undefined>();
  });

  it('the pattern is text', () => {
    expectTypeOf(TOKEN_PATTERN).toEqualTypeOf<string>();
    expectTypeOf(tokenPattern).returns.toEqualTypeOf<string>();
  });

  it('the secretlint rule is a rule creator with its options', () => {
    expectTypeOf(creator).toEqualTypeOf<SecretLintRuleCreator<TokenwardRuleOptions>>();
  });
});
