/**
 * Where each kind of mistake in a statement is reported: line, column,
 * what was expected there, and what was found, by kind only.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { StatementError } from '../../src/sql/errors.js';
import { parseStatements } from '../../src/sql/parser.js';

interface ErrorCase {
  text: string;
  line: number;
  column: number;
  expected?: string[];
  message: string;
}

const ERRORS: ErrorCase[] = [
  { text: 'SELECT 1', line: 1, column: 1, message: 'expected CREATE, SHOW, ALTER, DROP, SHARE or CLAIM, found a name' },
  { text: 'SHOW API', line: 1, column: 9, expected: ['TOKEN', 'TOKENS'], message: 'found the end of the input' },
  {
    text: 'CREATE API TOKEN ci MAX DURATION 30d',
    line: 1,
    column: 34,
    expected: ['UNLIMITED', "a duration string such as '30d', '24h' or '15m'"],
    message: 'found a number',
  },
  {
    text: "CREATE API TOKEN ci\n  MAX DURATION '30 days'",
    line: 2,
    column: 16,
    message: "expected a duration string such as '30d', '24h' or '15m', found a string that is not a duration",
  },
  {
    text: "ALTER USER analyst SET API TOKEN MAX DURATION '0d'",
    line: 1,
    column: 47,
    message: 'not a duration',
  },
  {
    text: 'CREATE API TOKEN ci 42',
    line: 1,
    column: 21,
    expected: ['FOR USER', 'MAX DURATION', 'COMMENT', 'GRANTS', "';'", 'the end of the input'],
    message: 'found a number',
  },
  {
    text: 'CREATE API TOKEN 42',
    line: 1,
    column: 18,
    expected: ['a token name', 'FOR USER', 'MAX DURATION', 'COMMENT', 'GRANTS', "';'", 'the end of the input'],
    message: 'found a number',
  },
  { text: "CREATE API TOKEN ci COMMENT 'a' COMMENT 'b'", line: 1, column: 33, message: 'COMMENT is given twice' },
  { text: 'SHOW API TOKENS INCLUDE EXPIRED, EXPIRED', line: 1, column: 34, message: 'EXPIRED is given twice' },
  {
    text: 'CREATE ADMINISTRATIVE API TOKEN ops FOR USER analyst',
    line: 1,
    column: 37,
    expected: ['MAX DURATION', 'COMMENT', 'GRANTS', "';'", 'the end of the input'],
    message: 'found the keyword FOR',
  },
  {
    text: 'DROP API TOKEN comment',
    line: 1,
    column: 16,
    expected: ['IF EXISTS', 'a token name'],
    message: 'found the keyword COMMENT (write a name that is a keyword in double quotes)',
  },
  {
    text: "DROP API TOKEN x FOR USER 'analyst'",
    line: 1,
    column: 27,
    expected: ['a user name'],
    message: 'found a string',
  },
  { text: 'DROP ALL API TOKENS', line: 1, column: 20, expected: ['FOR'], message: 'found the end of the input' },
  {
    text: "ALTER API TOKEN ci SET COMMENT 'never closed",
    line: 1,
    column: 32,
    message: "this string is never closed: expected '",
  },
  {
    text: 'DROP API TOKEN "never closed',
    line: 1,
    column: 16,
    message: 'this quoted name is never closed: expected "',
  },
  { text: 'DROP API TOKEN ""', line: 1, column: 16, message: 'a quoted name cannot be empty' },
  {
    text: 'SHOW API TOKENS /* never closed',
    line: 1,
    column: 17,
    message: 'this comment is never closed: expected */',
  },
  { text: 'SHOW API TOKENS;\n\tDROP API TOKEN @x', line: 2, column: 17, message: "unexpected character U+0040 '@'" },
  { text: 'SHOW API TOKENS\u00a0\u200b', line: 1, column: 17, message: 'unexpected character U+200B' },
  { text: 'SHOW API TOKENS LIMIT 0', line: 1, column: 23, message: 'expected a whole number from 1 to 1000000' },
  { text: 'SHOW API TOKENS LIMIT 99999999999999999999', line: 1, column: 23, message: 'from 1 to 1000000' },
  {
    text: 'SHOW API TOKENS DROP API TOKEN x',
    line: 1,
    column: 17,
    message: "';' or the end of the input, found the keyword DROP",
  },
  {
    text: 'CREATE API TOKEN GRANTS (READ ON COMPONENT x)',
    line: 1,
    column: 34,
    expected: ['BUCKET'],
    message: 'found the keyword COMPONENT',
  },
  {
    text: 'CREATE API TOKEN GRANTS (SCOPE a SCOPE b)',
    line: 1,
    column: 34,
    expected: ["','", "')'"],
    message: 'found the keyword SCOPE',
  },
  {
    text: "ALTER API TOKEN ci ROTATE GRACE '1h'",
    line: 1,
    column: 33,
    expected: ['PERIOD'],
    message: 'found a string',
  },
  {
    text: 'ALTER USER analyst SET COMMENT',
    line: 1,
    column: 24,
    expected: ['API'],
    message: 'found the keyword COMMENT',
  },
];

describe('errors say where and what was expected', () => {
  it.each(ERRORS)('$text', ({ text, line, column, expected, message }) => {
    let caught: unknown;
    try {
      parseStatements(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StatementError);
    const error = caught as StatementError;
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, name: 'StatementError', line, column });
    expect(error.details.field).toBe('statement');
    expect(error.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
    expect(error.message).toContain(message);
    if (expected !== undefined) expect(error.expected).toEqual(expected);
  });

  it('never repeats a name or a string, which might be a secret pasted in the wrong place', () => {
    const pasted = 'acme_p_01KDVDNA00SD6D1NHXQ7P2ZGN6Rq58TqCeUotwJkDv7BKQGWnabEEVo22qjzgH';
    for (const text of [
      `DROP API TOKEN ci ${pasted}`,
      `DROP API TOKEN ci '${pasted}'`,
      `SHOW API TOKENS "${pasted}"`,
    ]) {
      expect(() => parseStatements(text)).toThrow(StatementError);
      try {
        parseStatements(text);
      } catch (error) {
        expect((error as Error).message).not.toContain('Rq58TqCe');
      }
    }
  });

  it('a statement after an error is not looked at: the first problem is the one reported', () => {
    expect(() => parseStatements("SHOW API TOKEN; DROP API TOKEN 'x")).toThrow(/line 1, column 15: expected MAX/);
  });

  it('input that is not a string is an invalid_request naming the field', () => {
    expect(() => parseStatements(42 as unknown as string)).toThrow(TokenError);
    try {
      parseStatements(undefined as unknown as string);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'text' } });
    }
  });
});
