/**
 * The log path field by field (src/core/logger.ts): the console logger's
 * lines, which level `safeLog` calls, fields passed through or left out,
 * redaction down to the documented depth (five levels) and not below,
 * dates and other values kept as they are, and `failureCode`'s answer for
 * each kind of failure.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { opaqueFormat } from '../../src/core/format.js';
import { consoleLogger, failureCode, type Logger, safeLog } from '../../src/core/logger.js';

const TOKEN = opaqueFormat('acme').encode({
  id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  secret: 'a'.repeat(30),
  type: 'personal',
  tenant: 't',
  owner: null,
  issuedAt: 0,
  expiresAt: null,
});
/** What `redact` leaves of TOKEN: prefix, type and id, then the mark. */
const REDACTED = 'acme_p_01ARZ3NDEKTSV4RRFFQ69G5FAV…[redacted]';

function recorder() {
  const calls: { level: string; args: unknown[] }[] = [];
  const logger: Logger = {
    warn: (...args: unknown[]) => calls.push({ level: 'warn', args }),
    error: (...args: unknown[]) => calls.push({ level: 'error', args }),
  };
  return { calls, logger };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('consoleLogger', () => {
  it('prefixes each line with tokenward: and passes fields only when given', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLogger.warn('hook failed');
    consoleLogger.warn('hook failed', { id: 'x' });
    consoleLogger.error('task failed');
    consoleLogger.error('task failed', { count: 2 });
    expect(warn.mock.calls).toEqual([['tokenward: hook failed'], ['tokenward: hook failed', { id: 'x' }]]);
    expect(error.mock.calls).toEqual([['tokenward: task failed'], ['tokenward: task failed', { count: 2 }]]);
  });

  it('redacts a token in the message and in string fields when written to directly, not through safeLog', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLogger.warn(`saw ${TOKEN}`);
    consoleLogger.error('failed', { token: TOKEN, list: [TOKEN], at: 3 });
    expect(warn.mock.calls).toEqual([[`tokenward: saw ${REDACTED}`]]);
    expect(error.mock.calls).toEqual([['tokenward: failed', { token: REDACTED, list: [REDACTED], at: 3 }]]);
    expect(JSON.stringify([...warn.mock.calls, ...error.mock.calls])).not.toContain('a'.repeat(30));
  });
});

describe('safeLog', () => {
  it('calls the level asked for, with undefined fields when none are given', () => {
    const { calls, logger } = recorder();
    safeLog(logger, 'warn', 'one');
    safeLog(logger, 'error', 'two', { n: 1 });
    expect(calls).toEqual([
      { level: 'warn', args: ['one', undefined] },
      { level: 'error', args: ['two', { n: 1 }] },
    ]);
  });

  it('redacts the message and string fields down to objects five levels deep, and leaves deeper ones alone', () => {
    const { calls, logger } = recorder();
    const deep = { a: { b: { c: { d: { e: TOKEN, f: { g: TOKEN } } } } } };
    safeLog(logger, 'error', `leaked ${TOKEN}`, {
      top: TOKEN,
      list: [TOKEN, [TOKEN]],
      nestedLists: [[[[[[TOKEN], TOKEN]]]]],
      levels: { one: { two: { three: { four: TOKEN } } } },
      deep,
    });
    const [message, fields] = calls[0]!.args as [string, Record<string, unknown>];
    expect(message).toBe(`leaked ${REDACTED}`);
    expect(fields).toEqual({
      top: REDACTED,
      list: [REDACTED, [REDACTED]],
      // Lists count as levels too: the list at depth 5 is passed on as it is.
      nestedLists: [[[[[[TOKEN], REDACTED]]]]],
      levels: { one: { two: { three: { four: REDACTED } } } },
      // Depth 0 is `deep` itself: the object at depth 4 (`d`) is still read, the one at depth 5 (`f`) is
      // passed on as it is (the limit guards against cycles); a string is redacted wherever it is read.
      deep: { a: { b: { c: { d: { e: REDACTED, f: { g: TOKEN } } } } } },
    });
  });

  it('keeps numbers, booleans, null, undefined and dates as they are, and copies objects', () => {
    const { calls, logger } = recorder();
    const at = new Date(0);
    const nested = { when: at, n: 3 };
    safeLog(logger, 'warn', 'm', { n: 1, yes: true, none: null, missing: undefined, at, nested });
    const fields = calls[0]!.args[1] as Record<string, unknown>;
    expect(fields).toEqual({ n: 1, yes: true, none: null, missing: undefined, at, nested: { when: at, n: 3 } });
    expect(fields.at).toBe(at);
    expect((fields.nested as { when: Date }).when).toBe(at);
    expect(fields.nested).not.toBe(nested);
  });

  it('never throws, whichever level fails', () => {
    const failing: Logger = {
      warn: () => {
        throw new Error('down');
      },
      error: () => {
        throw new Error('down');
      },
    };
    expect(() => safeLog(failing, 'warn', 'm', { a: 1 })).not.toThrow();
    expect(() => safeLog(failing, 'error', 'm')).not.toThrow();
  });
});

describe('failureCode', () => {
  it.each([
    ['a TokenError: its code', new TokenError('unavailable', 'secret text'), 'unavailable'],
    ['an error with a string code', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    ['an Error: its name', new TypeError('secret text'), 'TypeError'],
    ['a numeric code: the name', Object.assign(new RangeError('x'), { code: 42 }), 'RangeError'],
    ['an object with neither', { message: 'x' }, 'error'],
    ['an object with a non-string name', { name: 7 }, 'error'],
    ['null', null, 'error'],
    ['a string', 'ECONNREFUSED', 'error'],
    ['undefined', undefined, 'error'],
  ])('%s', (_, error, expected) => {
    expect(failureCode(error)).toBe(expected);
  });
});
