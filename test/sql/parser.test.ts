/**
 * The statement grammar, form by form: Tengri's statements as the seed
 * (002) writes them, tokenward's extensions, case, quoting, comments,
 * scripts and spans (mistakes: parser.errors.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { StatementError } from '../../src/sql/errors.js';
import { parseStatements } from '../../src/sql/parser.js';
import type { Statement } from '../../src/sql/types.js';
import { withoutSpan } from './arbitraries.js';

const OWN = { kind: 'own' } as const;
const ANALYST = { kind: 'user', user: 'analyst' } as const;
const ADMINISTRATIVE = { kind: 'administrative' } as const;

function one(text: string): Statement {
  const statements = parseStatements(text);
  expect(statements).toHaveLength(1);
  return withoutSpan(statements[0]!);
}

const TENGRI: [string, Statement][] = [
  [
    "CREATE API TOKEN ci_pipeline\nMAX DURATION '30d'\nCOMMENT 'Токен для сборочного конвейера';",
    {
      kind: 'createToken',
      name: 'ci_pipeline',
      owner: OWN,
      maxDuration: '30d',
      comment: 'Токен для сборочного конвейера',
    },
  ],
  ['CREATE API TOKEN;', { kind: 'createToken', owner: OWN }],
  ['SHOW API TOKENS;', { kind: 'showTokens', owner: OWN, includeExpired: false, includeRevoked: false }],
  [
    "ALTER API TOKEN ci_pipeline SET COMMENT 'Перенесен на новый раннер';",
    { kind: 'alterTokenComment', name: 'ci_pipeline', owner: OWN, comment: 'Перенесен на новый раннер' },
  ],
  ['DROP API TOKEN ci_pipeline;', { kind: 'dropToken', name: 'ci_pipeline', owner: OWN, ifExists: false }],
  ['DROP ALL API TOKENS FOR USER analyst;', { kind: 'dropAllTokens', user: 'analyst' }],
  [
    "ALTER USER analyst SET API TOKEN MAX DURATION '24h';",
    { kind: 'setMaxDuration', subject: { kind: 'user', name: 'analyst' }, maxDuration: '24h' },
  ],
  [
    "ALTER ROLE service_accounts SET API TOKEN MAX DURATION '30d';",
    { kind: 'setMaxDuration', subject: { kind: 'role', name: 'service_accounts' }, maxDuration: '30d' },
  ],
  [
    "CREATE API TOKEN report_bot FOR USER analyst MAX DURATION '90d' COMMENT 'Сервисный токен для выгрузки отчетов';",
    {
      kind: 'createToken',
      name: 'report_bot',
      owner: ANALYST,
      maxDuration: '90d',
      comment: 'Сервисный токен для выгрузки отчетов',
    },
  ],
  [
    'SHOW API TOKENS FOR USER analyst;',
    { kind: 'showTokens', owner: ANALYST, includeExpired: false, includeRevoked: false },
  ],
  [
    'DROP API TOKEN report_bot FOR USER analyst;',
    { kind: 'dropToken', name: 'report_bot', owner: ANALYST, ifExists: false },
  ],
  [
    "ALTER API TOKEN ci_pipeline FOR USER analyst SET COMMENT 'x'",
    { kind: 'alterTokenComment', name: 'ci_pipeline', owner: ANALYST, comment: 'x' },
  ],
];

const EXTENSIONS: [string, Statement][] = [
  [
    'CREATE LIMITED API TOKEN bi FOR USER analyst GRANTS (READ ON BUCKET "in.c-csv-import", WRITE ON BUCKET out, RUN ON COMPONENT "keboola.ex-db", CONFIGURE ON COMPONENT wr, ALL ON COMPONENT x, SCOPE checkup_report_create)',
    {
      kind: 'createToken',
      type: 'limited',
      name: 'bi',
      owner: ANALYST,
      grants: [
        { bucket: 'in.c-csv-import', access: 'read' },
        { bucket: 'out', access: 'write' },
        { component: 'keboola.ex-db', action: 'run' },
        { component: 'wr', action: 'configure' },
        { component: 'x', action: 'all' },
        { scope: 'checkup_report_create' },
      ],
    },
  ],
  ['CREATE PERSONAL API TOKEN GRANTS ()', { kind: 'createToken', type: 'personal', owner: OWN, grants: [] }],
  [
    "CREATE ADMINISTRATIVE API TOKEN ops MAX DURATION UNLIMITED COMMENT ''",
    { kind: 'createToken', name: 'ops', owner: ADMINISTRATIVE, maxDuration: null, comment: '' },
  ],
  [
    'SHOW API TOKENS FOR ALL USERS INCLUDE REVOKED, EXPIRED LIMIT 20',
    { kind: 'showTokens', owner: { kind: 'all' }, includeExpired: true, includeRevoked: true, limit: 20 },
  ],
  [
    'SHOW ADMINISTRATIVE API TOKENS INCLUDE EXPIRED',
    { kind: 'showTokens', owner: ADMINISTRATIVE, includeExpired: true, includeRevoked: false },
  ],
  ['ALTER API TOKEN ci ROTATE', { kind: 'rotateToken', name: 'ci', owner: OWN }],
  [
    "ALTER ADMINISTRATIVE API TOKEN ops ROTATE GRACE PERIOD '1h'",
    { kind: 'rotateToken', name: 'ops', owner: ADMINISTRATIVE, gracePeriod: '1h' },
  ],
  ['DROP API TOKEN IF EXISTS ci', { kind: 'dropToken', name: 'ci', owner: OWN, ifExists: true }],
  ['DROP ADMINISTRATIVE API TOKEN ops', { kind: 'dropToken', name: 'ops', owner: ADMINISTRATIVE, ifExists: false }],
  [
    'ALTER USER analyst UNSET API TOKEN MAX DURATION',
    { kind: 'setMaxDuration', subject: { kind: 'user', name: 'analyst' }, maxDuration: null },
  ],
  [
    'ALTER ROLE service_accounts UNSET API TOKEN MAX DURATION',
    { kind: 'setMaxDuration', subject: { kind: 'role', name: 'service_accounts' }, maxDuration: null },
  ],
  ['SHOW API TOKEN MAX DURATION', { kind: 'showMaxDuration', owner: OWN }],
  ['SHOW API TOKEN MAX DURATION FOR USER analyst', { kind: 'showMaxDuration', owner: ANALYST }],
  [
    "SHARE API TOKEN ci FOR USER analyst VALID FOR '2d'",
    { kind: 'shareToken', name: 'ci', owner: ANALYST, validFor: '2d' },
  ],
  ['SHARE ADMINISTRATIVE API TOKEN ops', { kind: 'shareToken', name: 'ops', owner: ADMINISTRATIVE }],
  ["CLAIM API TOKEN 'acme_claim_abc'", { kind: 'claimToken', code: 'acme_claim_abc' }],
  ['SHOW EVENTS FOR API TOKEN ci', { kind: 'showTokenEvents', name: 'ci', owner: OWN }],
  [
    'SHOW EVENTS FOR API TOKEN ci FOR USER analyst LIMIT 5',
    { kind: 'showTokenEvents', name: 'ci', owner: ANALYST, limit: 5 },
  ],
  ['SHOW EVENTS FOR ADMINISTRATIVE API TOKEN ops', { kind: 'showTokenEvents', name: 'ops', owner: ADMINISTRATIVE }],
];

describe('Tengri statements, as the seed writes them', () => {
  it.each(TENGRI)('%s', (text, expected) => {
    expect(one(text)).toEqual(expected);
  });
});

describe('extensions', () => {
  it.each(EXTENSIONS)('%s', (text, expected) => {
    expect(one(text)).toEqual(expected);
  });

  it('CREATE clauses come in any order, each once', () => {
    const expected = one("CREATE API TOKEN x FOR USER analyst MAX DURATION '1d' COMMENT 'c' GRANTS (SCOPE s)");
    expect(one("CREATE API TOKEN x GRANTS (SCOPE s) COMMENT 'c' MAX DURATION '1d' FOR USER analyst")).toEqual(expected);
    expect(one("CREATE API TOKEN x COMMENT 'c' FOR USER analyst GRANTS (SCOPE s) MAX DURATION '1d'")).toEqual(expected);
  });

  it('SHOW API TOKENS clauses come in any order', () => {
    expect(one('SHOW API TOKENS LIMIT 3 INCLUDE EXPIRED FOR USER analyst')).toEqual({
      kind: 'showTokens',
      owner: ANALYST,
      includeExpired: true,
      includeRevoked: false,
      limit: 3,
    });
  });
});

describe('case, names and strings', () => {
  it('keywords are case-insensitive', () => {
    const expected = one("CREATE API TOKEN ci MAX DURATION '30d' COMMENT 'c'");
    expect(one("create api token ci max duration '30d' comment 'c'")).toEqual(expected);
    expect(one("CrEaTe aPi ToKeN ci mAx DuRaTiOn '30d' CoMmEnT 'c'")).toEqual(expected);
  });

  it('keywords match in ASCII only: no Unicode case mapping makes a keyword', () => {
    // U+017F LATIN SMALL LETTER LONG S upper-cases to S; U+0131 DOTLESS I to I.
    expect(() => parseStatements('ſhow api tokens')).toThrow(StatementError);
    expect(() => parseStatements('SHOW API TOKENS FOR USER analyst lımit 3')).toThrow(StatementError);
  });

  it('names are case-sensitive as written, bare or quoted', () => {
    expect(one('DROP API TOKEN CI_Pipeline')).toMatchObject({ name: 'CI_Pipeline' });
    expect(one('DROP API TOKEN "CI_Pipeline"')).toMatchObject({ name: 'CI_Pipeline' });
    expect(one('DROP API TOKEN ci_pipeline')).toMatchObject({ name: 'ci_pipeline' });
  });

  it('bare names may be Cyrillic or any other letters', () => {
    expect(one('DROP API TOKEN отчёт_2 FOR USER аналитик')).toMatchObject({
      name: 'отчёт_2',
      owner: { kind: 'user', user: 'аналитик' },
    });
  });

  it('double quotes hold names with spaces, punctuation, keywords and emoji; "" is a quote', () => {
    expect(one('DROP API TOKEN "report bot" FOR USER "alice@example.com"')).toMatchObject({
      name: 'report bot',
      owner: { kind: 'user', user: 'alice@example.com' },
    });
    expect(one('DROP API TOKEN "say ""hi"""')).toMatchObject({ name: 'say "hi"' });
    expect(one('DROP API TOKEN "comment"')).toMatchObject({ name: 'comment' });
    expect(one('DROP API TOKEN "🔑 -- not a comment; nor the end"')).toMatchObject({
      name: '🔑 -- not a comment; nor the end',
    });
  });

  it("single quotes hold strings; '' is a quote; strings may span lines and hold Cyrillic", () => {
    expect(one("ALTER API TOKEN ci SET COMMENT 'it''s Петин'")).toMatchObject({ comment: "it's Петин" });
    expect(one("ALTER API TOKEN ci SET COMMENT ''")).toMatchObject({ comment: '' });
    expect(one("ALTER API TOKEN ci SET COMMENT 'line one\nline two -- kept /* kept */'")).toMatchObject({
      comment: 'line one\nline two -- kept /* kept */',
    });
  });
});

describe('comments and scripts', () => {
  it('-- runs to the end of the line; /* */ may span lines', () => {
    const script = [
      '-- issue a token for CI',
      'CREATE API TOKEN ci_pipeline -- the name',
      '  /* thirty days,',
      "     as the runbook says */ MAX DURATION '30d';",
      'SHOW API TOKENS; -- done',
    ].join('\n');
    expect(parseStatements(script).map(withoutSpan)).toEqual([
      { kind: 'createToken', name: 'ci_pipeline', owner: OWN, maxDuration: '30d' },
      { kind: 'showTokens', owner: OWN, includeExpired: false, includeRevoked: false },
    ]);
  });

  it('block comments do not nest', () => {
    expect(() => parseStatements('/* a /* b */ c */ SHOW API TOKENS')).toThrow(StatementError);
  });

  it('empty statements are skipped; the last statement needs no semicolon', () => {
    expect(parseStatements('')).toEqual([]);
    expect(parseStatements(' ;; -- nothing\n ; ')).toEqual([]);
    expect(parseStatements(';SHOW API TOKENS;;DROP API TOKEN a').map((s) => s.kind)).toEqual([
      'showTokens',
      'dropToken',
    ]);
  });

  it('every line ending counts: \\n, \\r\\n and \\r', () => {
    for (const newline of ['\n', '\r\n', '\r']) {
      const [, second] = parseStatements(`SHOW API TOKENS;${newline}${newline}  DROP API TOKEN a`);
      expect(second!.span.start).toEqual({ offset: 16 + 2 * newline.length + 2, line: 3, column: 3 });
    }
  });

  it('each statement carries its span: from its first word to its last, before the semicolon', () => {
    const script = 'SHOW API TOKENS;\n  CREATE API TOKEN "🔑 key"\n    COMMENT \'x\' ; ';
    const [show, create] = parseStatements(script);
    expect(show!.span).toEqual({ start: { offset: 0, line: 1, column: 1 }, end: { offset: 15, line: 1, column: 16 } });
    expect(create!.span.start).toEqual({ offset: 19, line: 2, column: 3 });
    // The emoji is two UTF-16 units but one column.
    expect(create!.span.end).toEqual({ offset: script.indexOf(' ; '), line: 3, column: 16 });
    expect(script.slice(create!.span.start.offset, create!.span.end.offset)).toBe(
      'CREATE API TOKEN "🔑 key"\n    COMMENT \'x\'',
    );
  });
});
