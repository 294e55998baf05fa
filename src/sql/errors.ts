import { TokenError } from '../core/errors.js';
import type { SourcePosition } from './types.js';

/**
 * Statement text that cannot be parsed: a `TokenError` with code
 * `invalid_request` (HTTP 400) and `details.field` `'statement'`, that also
 * says where (`line`, `column`, `offset`) and what would have been accepted
 * there (`expected`).
 *
 * The message names what was found only by its kind (a name, a string, a
 * number) or, for keywords, by the keyword: it never repeats the text of a
 * name or a string, which might be a secret pasted in the wrong place.
 *
 * @example
 * ```ts
 * import { parseStatements, StatementError } from 'tokenward/sql';
 * try { parseStatements("CREATE API TOKEN ci MAX DURATION 30d"); }
 * catch (e) { if (e instanceof StatementError) console.error(e.line, e.column, e.expected); }
 * // line 1, column 34: expected a duration string such as '30d' or UNLIMITED, found a number
 * ```
 */
export class StatementError extends TokenError {
  /** Line of the problem, from 1. */
  readonly line: number;
  /** Column of the problem, from 1, in code points. */
  readonly column: number;
  /** Index of the problem in the text, in UTF-16 code units. */
  readonly offset: number;
  /** What would have been accepted at that place (keywords in capitals, other things described). */
  readonly expected: readonly string[];

  constructor(at: SourcePosition, problem: string, expected: readonly string[] = []) {
    super('invalid_request', `line ${at.line}, column ${at.column}: ${problem}`, { field: 'statement' });
    this.name = 'StatementError';
    this.line = at.line;
    this.column = at.column;
    this.offset = at.offset;
    this.expected = Object.freeze([...expected]);
  }
}
