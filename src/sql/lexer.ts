import { StatementError } from './errors.js';
import type { SourcePosition } from './types.js';

/**
 * @internal The lexer of `tokenward/sql`: words (keywords and bare names),
 * `"quoted names"`, `'strings'`, integers and the punctuation `; , ( )`.
 * `--` comments run to the end of the line; `/* … *\/` comments do not nest.
 */

/** What a lexeme is. `word` covers keywords and bare names; the parser tells them apart. */
export type LexemeKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'end';

export interface Lexeme {
  readonly kind: LexemeKind;
  /** A word or number as written; a quoted name or string with its quotes removed and doubled quotes undone. */
  readonly text: string;
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

// A bare word: a letter or underscore, then letters, marks, digits or underscores (SQL's regular identifier).
const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{M}\p{N}_]/u;
const DIGIT = /[0-9]/;
const SPACE = /\s/u;
const PUNCTUATION = ';,()';

/** `U+0040 '@'`: a single character is safe to show, and the code point makes invisible ones visible. */
function describeCharacter(character: string): string {
  const code = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const printable = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character);
  return printable ? `U+${code} '${character}'` : `U+${code}`;
}

/** Reads lexemes on demand, so an error late in a script never hides one before it. */
export class Lexer {
  private readonly text: string;
  private offset = 0;
  private line = 1;
  private column = 1;

  constructor(text: string) {
    this.text = text;
  }

  private position(): SourcePosition {
    return { offset: this.offset, line: this.line, column: this.column };
  }

  private peekChar(ahead = 0): string | undefined {
    let index = this.offset;
    for (let step = 0; step < ahead && index < this.text.length; step++) {
      index += this.text.codePointAt(index)! > 0xffff ? 2 : 1;
    }
    if (index >= this.text.length) return undefined;
    return String.fromCodePoint(this.text.codePointAt(index)!);
  }

  /** Moves past one code point, keeping line and column. */
  private advance(): string {
    const character = String.fromCodePoint(this.text.codePointAt(this.offset)!);
    this.offset += character.length;
    if (character === '\n' || (character === '\r' && this.text[this.offset] !== '\n')) {
      this.line += 1;
      this.column = 1;
    } else if (character !== '\r') {
      this.column += 1;
    }
    return character;
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const character = this.peekChar();
      if (character === undefined) return;
      if (SPACE.test(character)) {
        this.advance();
      } else if (character === '-' && this.peekChar(1) === '-') {
        while (this.peekChar() !== undefined && this.peekChar() !== '\n' && this.peekChar() !== '\r') this.advance();
      } else if (character === '/' && this.peekChar(1) === '*') {
        const start = this.position();
        this.advance();
        this.advance();
        while (!(this.peekChar() === '*' && this.peekChar(1) === '/')) {
          if (this.peekChar() === undefined) {
            throw new StatementError(start, 'this comment is never closed: expected */', ['*/']);
          }
          this.advance();
        }
        this.advance();
        this.advance();
      } else {
        return;
      }
    }
  }

  /** Reads up to the closing `quote`; a doubled quote stands for one. */
  private quoted(quote: "'" | '"', start: SourcePosition): string {
    this.advance();
    let value = '';
    for (;;) {
      const character = this.peekChar();
      if (character === undefined) {
        const what = quote === "'" ? 'string' : 'quoted name';
        throw new StatementError(start, `this ${what} is never closed: expected ${quote}`, [quote]);
      }
      this.advance();
      if (character === quote) {
        if (this.peekChar() !== quote) return value;
        this.advance();
      }
      value += character;
    }
  }

  private readWhile(pattern: RegExp): string {
    let value = '';
    for (let character = this.peekChar(); character !== undefined && pattern.test(character); ) {
      value += this.advance();
      character = this.peekChar();
    }
    return value;
  }

  /** The next lexeme; `end` (again and again) once the text is used up. */
  next(): Lexeme {
    this.skipSpaceAndComments();
    const start = this.position();
    const character = this.peekChar();
    let kind: LexemeKind;
    let text: string;
    if (character === undefined) {
      kind = 'end';
      text = '';
    } else if (character === "'") {
      kind = 'string';
      text = this.quoted("'", start);
    } else if (character === '"') {
      kind = 'quoted';
      text = this.quoted('"', start);
      if (text.length === 0) throw new StatementError(start, 'a quoted name cannot be empty', ['a name']);
    } else if (DIGIT.test(character)) {
      kind = 'number';
      text = this.readWhile(DIGIT);
    } else if (WORD_START.test(character)) {
      kind = 'word';
      text = this.advance() + this.readWhile(WORD_PART);
    } else if (PUNCTUATION.includes(character)) {
      kind = 'punct';
      text = this.advance();
    } else {
      throw new StatementError(start, `unexpected character ${describeCharacter(character)}`);
    }
    return { kind, text, start, end: this.position() };
  }
}

/** @internal True when `name` can be written without quotes (and is not a keyword: see `isKeyword`). */
export function isBareWord(name: string): boolean {
  const characters = [...name];
  return (
    characters.length > 0 &&
    WORD_START.test(characters[0]!) &&
    characters.slice(1).every((character) => WORD_PART.test(character))
  );
}
