/** formatTable: answers as text tables in the seed's style (002). */
import { describe, expect, it } from 'vitest';
import { displayWidth, formatTable } from '../../src/sql/table.js';
import type { StatementResult } from '../../src/sql/types.js';

function result(columns: string[], rows: (string | number | boolean | null)[][]): StatementResult {
  return { columns, rows, secretColumns: [] };
}

describe('formatTable', () => {
  it('draws the seed’s table', () => {
    const table = formatTable(
      result(
        ['name', 'token', 'expires_at'],
        [['ci_pipeline', 'eyJhbGciOiJIUzI1NiIs...', '2026-07-20T09:00:00+00:00']],
      ),
    );
    expect(table).toBe(
      [
        '+-------------+-------------------------+---------------------------+',
        '| name        | token                   | expires_at                |',
        '+-------------+-------------------------+---------------------------+',
        '| ci_pipeline | eyJhbGciOiJIUzI1NiIs... | 2026-07-20T09:00:00+00:00 |',
        '+-------------+-------------------------+---------------------------+',
        '',
      ].join('\n'),
    );
  });

  it('shows NULL, numbers and booleans, and only the header for no rows', () => {
    expect(
      formatTable(
        result(
          ['user', 'revoked', 'ok'],
          [
            ['alice', 3, true],
            [null, 0, false],
          ],
        ),
      ),
    ).toBe(
      [
        '+-------+---------+-------+',
        '| user  | revoked | ok    |',
        '+-------+---------+-------+',
        '| alice | 3       | true  |',
        '| NULL  | 0       | false |',
        '+-------+---------+-------+',
        '',
      ].join('\n'),
    );
    expect(formatTable(result(['name'], []))).toBe('+------+\n| name |\n+------+\n');
  });

  it('lines up Cyrillic, wide characters and emoji by the columns they take', () => {
    const lines = formatTable(result(['comment'], [['Перенесен'], ['報告'], ['🔑 key'], ['e\u0301']])).split('\n');
    expect(lines.slice(3, 7)).toEqual(['| Перенесен |', '| 報告      |', '| 🔑 key    |', '| e\u0301         |']);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('©')).toBe(1);
  });

  it('writes line breaks, controls and bidi overrides visibly, so no cell can break or disguise the table', () => {
    const table = formatTable(result(['comment'], [['two\nlines\ttab \u202eevil\u0007']]));
    expect(table).toContain('| two\\u{a}lines\\u{9}tab \\u{202e}evil\\u{7} |');
    expect(table.split('\n')).toHaveLength(6);
  });
});
