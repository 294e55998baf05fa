/**
 * Laws of the statement language (issue 11 §3): every statement the grammar
 * accepts round-trips through the printer, and no input — random text or a
 * mangled valid script — makes the parser throw anything but a positioned
 * `StatementError` that keeps names and strings out of its message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { StatementError } from '../../src/sql/errors.js';
import { KEYWORDS } from '../../src/sql/keywords.js';
import { parseStatements } from '../../src/sql/parser.js';
import { printStatement, printStatements } from '../../src/sql/printer.js';
import type { ParsedStatement } from '../../src/sql/types.js';
import { arbStatement, arbText, SECRET_MARK, withoutSpan } from './arbitraries.js';

const RUNS = { numRuns: 2000 };

/** Line and column of `offset`, worked out independently of the lexer. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 };
}

/** Parses, and holds any failure to the statement-error contract. */
function parseOrExplain(text: string): ParsedStatement[] | StatementError {
  try {
    return parseStatements(text);
  } catch (error) {
    expect(error).toBeInstanceOf(StatementError);
    expect(error).toBeInstanceOf(TokenError);
    const problem = error as StatementError;
    expect(problem.code).toBe('invalid_request');
    expect(problem.status).toBe(400);
    expect(problem.details.field).toBe('statement');
    expect(problem.offset).toBeGreaterThanOrEqual(0);
    expect(problem.offset).toBeLessThanOrEqual(text.length);
    expect({ line: problem.line, column: problem.column }).toEqual(lineAndColumn(text, problem.offset));
    expect(problem.message.startsWith(`line ${problem.line}, column ${problem.column}: `)).toBe(true);
    expect(problem.message).not.toContain(SECRET_MARK);
    return problem;
  }
}

describe('round trip through the printer', () => {
  it('parse(print(s)) is s, for every statement of the grammar', () => {
    fc.assert(
      fc.property(arbStatement, (statement) => {
        const parsed = parseStatements(printStatement(statement));
        expect(parsed).toHaveLength(1);
        expect(withoutSpan(parsed[0]!)).toEqual(statement);
      }),
      RUNS,
    );
  });

  it('a printed script parses back to the same statements, and each span holds its statement', () => {
    fc.assert(
      fc.property(fc.array(arbStatement, { maxLength: 6 }), (statements) => {
        const script = printStatements(statements);
        const parsed = parseStatements(script);
        expect(parsed.map(withoutSpan)).toEqual(statements);
        for (const statement of parsed) {
          const { start, end } = statement.span;
          expect(lineAndColumn(script, start.offset)).toEqual({ line: start.line, column: start.column });
          expect(lineAndColumn(script, end.offset)).toEqual({ line: end.line, column: end.column });
          expect(withoutSpan(parseStatements(script.slice(start.offset, end.offset))[0]!)).toEqual(
            withoutSpan(statement),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('printing is a fixed point: print(parse(print(s))) is print(s)', () => {
    fc.assert(
      fc.property(arbStatement, (statement) => {
        const printed = printStatement(statement);
        expect(printStatement(parseStatements(printed)[0]!)).toBe(printed);
      }),
      RUNS,
    );
  });
});

/** Keywords in lower case, so a mangled script reads in another case too. */
const lowerKeywords = (text: string): string =>
  text.replace(/[A-Z]+/g, (word) => (KEYWORDS.has(word) ? word.toLowerCase() : word));

/** Ways to mangle a valid script: cut, insert, delete, duplicate, case. */
const arbMangled = fc
  .tuple(
    fc.array(arbStatement, { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.tuple(
        fc.constantFrom('cut', 'insert', 'delete', 'duplicate', 'lower'),
        fc.nat(),
        fc.nat({ max: 12 }),
        fc.oneof(arbText, fc.constantFrom(...KEYWORDS), fc.constantFrom(';', ',', '(', ')', "'", '"', '--', '/*')),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([statements, edits]) => {
    let text = printStatements(statements);
    for (const [edit, where, size, piece] of edits) {
      const at = text.length === 0 ? 0 : where % (text.length + 1);
      if (edit === 'cut') text = text.slice(0, at);
      else if (edit === 'insert') text = `${text.slice(0, at)} ${piece} ${text.slice(at)}`;
      else if (edit === 'delete') text = text.slice(0, at) + text.slice(at + size);
      else if (edit === 'duplicate') text = text.slice(0, at + size) + text.slice(at);
      else text = lowerKeywords(text);
    }
    return text;
  });

describe('junk', () => {
  it('random text parses or fails with a positioned StatementError, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), arbText, fc.string()), (text) => {
        parseOrExplain(text);
      }),
      RUNS,
    );
  });

  it('mangled valid scripts parse or fail with a positioned StatementError that repeats no name or string', () => {
    fc.assert(
      fc.property(arbMangled, (text) => {
        parseOrExplain(text);
      }),
      RUNS,
    );
  });

  it('what parses from junk prints and parses back to itself', () => {
    fc.assert(
      fc.property(arbMangled, (text) => {
        const parsed = parseOrExplain(text);
        if (parsed instanceof StatementError) return;
        expect(parseStatements(printStatements(parsed)).map(withoutSpan)).toEqual(parsed.map(withoutSpan));
      }),
      RUNS,
    );
  });
});
