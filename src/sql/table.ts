import type { ResultValue, StatementResult } from './types.js';

// Characters that take no column (combining marks, joiners, variation selectors) and ones that take two.
const ZERO_WIDTH = /[\p{M}\u200b-\u200f\u2060]/u; // \p{M} holds the variation selectors
const WIDE =
  /[\p{Extended_Pictographic}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** How many terminal columns `text` takes (a close estimate; terminals differ on some emoji). */
export function displayWidth(text: string): number {
  let width = 0;
  let joined = false;
  for (const character of text) {
    // A character after a zero-width joiner is drawn into the one before it (👩‍💻 is one glyph).
    const hidden = ZERO_WIDTH.test(character) || joined;
    joined = character === '\u200d';
    if (!hidden) width += WIDE.test(character) && character.codePointAt(0)! > 0xff ? 2 : 1;
  }
  return width;
}

/**
 * A cell as a table shows it: `NULL` for null, and control, line-breaking
 * and bidirectional-override characters written as `\u{…}`, so a value can
 * neither break the table nor disguise what it is.
 */
function cellText(value: ResultValue): string {
  if (value === null) return 'NULL';
  return String(value).replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu,
    (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`,
  );
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(width - displayWidth(text));
}

/**
 * An answer as a text table, the way Tengri's examples show them:
 *
 * ```text
 * +-------------+--------------+---------------------------+
 * | name        | token        | expires_at                |
 * +-------------+--------------+---------------------------+
 * | ci_pipeline | acme_p_01J…  | 2026-07-20T09:00:00+00:00 |
 * +-------------+--------------+---------------------------+
 * ```
 *
 * Lines end with `\n`. Secret columns are printed as they are: show the
 * table to the person who asked, never write it to a log.
 *
 * @example
 * ```ts
 * import { executeStatement, formatTable } from 'tokenward/sql';
 * process.stdout.write(formatTable(await executeStatement(tokens, statement, actor)));
 * ```
 */
export function formatTable(result: StatementResult): string {
  const header = result.columns.map(cellText);
  const body = result.rows.map((row) => header.map((_, index) => cellText(row[index] ?? null)));
  const widths = header.map((title, index) =>
    Math.max(displayWidth(title), ...body.map((row) => displayWidth(row[index]!))),
  );
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+\n`;
  const line = (cells: readonly string[]): string =>
    `|${cells.map((cell, index) => ` ${pad(cell, widths[index]!)} `).join('|')}|\n`;
  return rule + line(header) + rule + (body.length === 0 ? '' : body.map(line).join('') + rule);
}
