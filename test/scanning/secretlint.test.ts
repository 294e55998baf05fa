/**
 * The secretlint rule (tokenward/secretlint) run by secretlint's own core,
 * as the CLI runs a rule from .secretlintrc.json.
 */
import { lintSource } from '@secretlint/core';
import type { SecretLintCoreResult } from '@secretlint/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { creator, type TokenwardRuleOptions } from '../../src/secretlint/index.js';
import { type IssuedSample, issuedTokens, lookAlikes } from './support.js';

async function lint(
  content: string,
  options?: TokenwardRuleOptions,
  maskSecrets = true,
): Promise<SecretLintCoreResult> {
  return lintSource({
    source: { filePath: '/repo/config/.env', content, contentType: 'text' },
    options: {
      maskSecrets,
      config: { rules: [{ id: 'tokenward/secretlint', rule: creator, ...(options === undefined ? {} : { options }) }] },
    },
  });
}

describe('tokenward/secretlint', () => {
  let issued: IssuedSample[];
  let acme: IssuedSample[];
  beforeAll(async () => {
    issued = await issuedTokens();
    acme = issued.filter((sample) => sample.prefix === 'acme');
  });

  it.each([true, false])(
    'reports every issued token at its range and line, without its secret (maskSecrets %s)',
    async (mask) => {
      const content = `# settings\n${issued.map((sample, i) => `TOKEN_${i}=${sample.token}`).join('\n')}\n`;
      const { messages } = await lint(content, undefined, mask);
      expect(messages).toHaveLength(issued.length);
      messages.forEach((message, i) => {
        const sample = issued[i]!;
        expect(message).toMatchObject({
          ruleId: 'tokenward/secretlint',
          messageId: 'TOKENWARD_TOKEN',
          severity: 'error',
        });
        expect(content.slice(message.range[0], message.range[1])).toBe(sample.token);
        expect(message.loc.start).toEqual({ line: i + 2, column: `TOKEN_${i}=`.length });
        expect(message.message).toContain(sample.id);
        expect(message.message).toContain(sample.type);
        expect(JSON.stringify(message)).not.toContain(sample.token.slice(-36));
      });
    },
  );

  it('does not report look-alikes whose checksum fails', async () => {
    const content = issued.flatMap((sample) => lookAlikes(sample.token)).join('\n');
    expect((await lint(content)).messages).toEqual([]);
  });

  it('reports only the configured prefixes', async () => {
    const content = issued.map((sample) => sample.token).join('\n');
    const { messages } = await lint(content, { prefix: 'acme' });
    expect(messages.map((message) => message.message)).toEqual(
      acme.map((sample) => expect.stringContaining(sample.id) as unknown as string),
    );
    expect((await lint(content, { prefix: ['zzz'] })).messages).toEqual([]);
  });

  it('skips allowed tokens: by id, by whole token, by RegExp-like string', async () => {
    const content = acme.map((sample) => sample.token).join('\n');
    const [first, second, third, fourth] = acme as [IssuedSample, IssuedSample, IssuedSample, IssuedSample];
    const { messages } = await lint(content, { allows: [first.id, second.token, `/_${third.type[0]}_/`] });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toContain(fourth.id);
  });

  it('refuses bad options with a TokenError naming the option', async () => {
    for (const [options, field] of [
      [{ prefix: 'ACME' }, 'prefix'],
      [{ prefix: ['acme', ''] }, 'prefix[1]'],
      [{ allows: 'x' }, 'allows'],
      [{ allows: [''] }, 'allows[0]'],
      [{ allows: ['/(/'] }, 'allows[0]'],
      [{ allow: ['x'] }, 'options.allow'],
    ] as const) {
      const error = await lint('nothing', options as TokenwardRuleOptions).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).details.field).toBe(field);
    }
  });
});
