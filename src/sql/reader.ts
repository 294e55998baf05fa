import { parseDuration } from '../core/duration.js';
import { isTokenError } from '../core/errors.js';
import { tokenMeta } from '../core/input.js';
import { repeatedName } from '../core/json-names.js';
import { StatementError } from './errors.js';
import { asciiUpper, isKeyword } from './keywords.js';
import { type Lexeme, Lexer } from './lexer.js';
import type { SourcePosition } from './types.js';

/** The largest `LIMIT` a statement may ask for. */
export const MAX_LIMIT = 1_000_000;

/** A lexeme as an error message may name it: never the text of a name or string. */
function describe(lexeme: Lexeme): string {
  switch (lexeme.kind) {
    case 'end':
      return 'the end of the input';
    case 'punct':
      return `'${lexeme.text}'`;
    case 'word':
      return isKeyword(lexeme.text) ? `the keyword ${asciiUpper(lexeme.text)}` : 'a name';
    case 'quoted':
      return 'a quoted name';
    case 'string':
      return 'a string';
    default:
      return 'a number';
  }
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * @internal A cursor over the lexemes with one lexeme of lookahead. Every
 * test of the current lexeme records what it looked for, so a failure can
 * list everything that would have been accepted at that place.
 */
export class Reader {
  private readonly lexer: Lexer;
  private current: Lexeme;
  private tried: string[] = [];
  /** End of the last lexeme taken: where a statement that just ended stops. */
  lastEnd: SourcePosition;

  constructor(text: string) {
    this.lexer = new Lexer(text);
    this.current = this.lexer.next();
    this.lastEnd = this.current.start;
  }

  /** Where the current lexeme starts. */
  get here(): SourcePosition {
    return this.current.start;
  }

  get atEnd(): boolean {
    return this.current.kind === 'end';
  }

  private take(): Lexeme {
    const taken = this.current;
    this.lastEnd = taken.end;
    this.current = this.lexer.next();
    this.tried = [];
    return taken;
  }

  /** Fails at the current lexeme, listing what was looked for there. */
  fail(...also: string[]): never {
    const expected = [...new Set([...this.tried, ...also])];
    let problem = `expected ${listOf(expected)}, found ${describe(this.current)}`;
    if (this.current.kind === 'word' && isKeyword(this.current.text) && expected.some((e) => e.endsWith(' name'))) {
      problem += ' (write a name that is a keyword in double quotes)';
    }
    throw new StatementError(this.current.start, problem, expected);
  }

  /** True when the current lexeme is `keyword`; `label` is how a failure lists it. */
  is(keyword: string, label: string = keyword): boolean {
    this.tried.push(label);
    return this.current.kind === 'word' && asciiUpper(this.current.text) === keyword;
  }

  accept(keyword: string, label: string = keyword): boolean {
    if (!this.is(keyword, label)) return false;
    this.take();
    return true;
  }

  expect(...keywords: string[]): void {
    for (const keyword of keywords) if (!this.accept(keyword)) this.fail();
  }

  /** True when the current lexeme is the punctuation `mark`, without listing it. */
  isPunct(mark: string): boolean {
    return this.current.kind === 'punct' && this.current.text === mark;
  }

  acceptPunct(mark: string): boolean {
    this.tried.push(`'${mark}'`);
    if (!this.isPunct(mark)) return false;
    this.take();
    return true;
  }

  expectPunct(mark: string): void {
    if (!this.acceptPunct(mark)) this.fail();
  }

  /** True when a name (quoted, or a bare word that is not a keyword) comes next. */
  isName(what: string): boolean {
    this.tried.push(what);
    return this.current.kind === 'quoted' || (this.current.kind === 'word' && !isKeyword(this.current.text));
  }

  name(what: string): string {
    if (!this.isName(what)) this.fail();
    return this.take().text;
  }

  string(what: string): string {
    this.tried.push(what);
    if (this.current.kind !== 'string') this.fail();
    return this.take().text;
  }

  /** A duration string, checked here so a bad one is reported where it stands. */
  duration(): string {
    const expected = "a duration string such as '30d', '24h' or '15m'";
    const at = this.current.start;
    const text = this.string(expected);
    try {
      parseDuration(text, 'statement');
    } catch {
      throw new StatementError(at, `expected ${expected}, found a string that is not a duration`, [expected]);
    }
    return text;
  }

  /**
   * `SET META '{"plan":"pro"}'`: a string holding a JSON object, parsed and
   * checked here by the rules the HTTP API and the service apply (no member
   * named twice, however escaped; no `__proto__`, `constructor` or
   * `prototype` key; finite numbers; at most `MAX_META_BYTES`), so a bad one
   * is reported where it stands rather than when it runs.
   */
  metaObject(): Readonly<Record<string, unknown>> {
    const expected = 'a string holding a JSON object';
    const at = this.current.start;
    const text = this.string(expected);
    let value: unknown;
    try {
      // JSON has no negative zero (`JSON.stringify(-0)` is `0`): read as 0, so what prints back is what was read.
      value = JSON.parse(text, (_key, found: unknown) => (Object.is(found, -0) ? 0 : found));
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StatementError(at, `expected ${expected}, found a string that is not one`, [expected]);
    }
    if (repeatedName(text) !== null) {
      throw new StatementError(at, `expected ${expected}, found one that names a member twice`, [expected]);
    }
    try {
      // The service's own check (a number past the double range parses as ±Infinity, which no JSON prints back).
      tokenMeta(value);
    } catch (error) {
      if (!isTokenError(error)) throw error;
      throw new StatementError(at, `expected ${expected}: ${error.message}`, [expected]);
    }
    return value as Readonly<Record<string, unknown>>;
  }

  /** A whole number from 1 to `MAX_LIMIT`. */
  limit(): number {
    const expected = `a whole number from 1 to ${MAX_LIMIT}`;
    this.tried.push(expected);
    if (this.current.kind !== 'number') this.fail();
    const at = this.current.start;
    const text = this.take().text;
    // Past 15 digits a double loses precision; such a number is out of range anyway.
    const value = text.length > 15 ? Number.POSITIVE_INFINITY : Number(text);
    if (value < 1 || value > MAX_LIMIT) throw new StatementError(at, `expected ${expected}`, [expected]);
    return value;
  }

  /** Throws when a clause that may appear once comes again. */
  once(seen: Set<string>, clause: string, at: SourcePosition): void {
    if (seen.has(clause)) throw new StatementError(at, `${clause} is given twice`);
    seen.add(clause);
  }
}
