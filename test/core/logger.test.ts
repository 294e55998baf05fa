/**
 * The log path never lets a token out whole: `safeLog` redacts anything
 * shaped like a token in the message and in string fields at any depth,
 * whatever the caller put there, and a failing logger never throws.
 */
import { describe, expect, it } from 'vitest';
import { type Logger, safeLog } from '../../src/core/logger.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

async function aToken(): Promise<string> {
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'p'.repeat(32),
    directory: { getUser: () => ({ admin: false }) },
  });
  return (await service.issue({ name: 'log-probe' }, { tenant: 'acme', user: 'ann' })).token;
}

describe('safeLog', () => {
  it('redacts tokens in the message and in nested string fields', async () => {
    const token = await aToken();
    const lines: unknown[][] = [];
    const logger: Logger = { warn: (...args) => lines.push(args), error: (...args) => lines.push(args) };
    safeLog(logger, 'warn', `saw ${token} here`, {
      header: `Bearer ${token}`,
      nested: { list: [token, 7] },
      code: 'x',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).toContain('[redacted]');
    expect(lines[0]![1]).toMatchObject({ nested: { list: [expect.any(String), 7] }, code: 'x' });
  });

  it('swallows a logger that throws', () => {
    const logger: Logger = {
      warn: () => {
        throw new Error('down');
      },
      error: () => {},
    };
    expect(() => safeLog(logger, 'warn', 'm')).not.toThrow();
  });
});
