import fc from 'fast-check';
import { tokenMeta } from '../../src/core/input.js';
import { KEYWORDS } from '../../src/sql/keywords.js';
import { MAX_LIMIT } from '../../src/sql/reader.js';
import type { Statement, StatementGrant, TokenOwnerClause } from '../../src/sql/types.js';

/** Marks text that an error message must never repeat (it stands for a secret pasted in the wrong place). */
export const SECRET_MARK = 's3cr3t';

/** Awkward pieces of names and strings: quotes, spaces, comment and statement marks, Cyrillic, emoji, RTL, joiners. */
const AWKWARD = [
  '"',
  "'",
  '""',
  "''",
  ' ',
  '  ',
  ';',
  '--',
  '/*',
  '*/',
  '\n',
  '\r\n',
  '\t',
  'Токен',
  'отчёт',
  '🔑',
  '👩‍💻',
  'é',
  'e\u0301',
  'שלום',
  '\u200b',
  '_',
  '0',
  'ci_pipeline',
  SECRET_MARK,
];

const keywordInAnyCase = fc
  .tuple(fc.constantFrom(...KEYWORDS), fc.boolean())
  .map(([keyword, lower]) => (lower ? keyword.toLowerCase() : keyword));

/** Any text: plain words, keywords in any case, awkward pieces and arbitrary Unicode, glued together. */
export const arbText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/) },
      { weight: 2, arbitrary: keywordInAnyCase },
      { weight: 3, arbitrary: fc.constantFrom(...AWKWARD) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

/** A name: any non-empty text (the printer quotes it where needed). */
export const arbName: fc.Arbitrary<string> = arbText.filter((text) => text.length > 0);

const UNITS = ['ms', 's', 'm', 'h', 'd', 'w', 'mo', 'y'] as const;
/** A duration the grammar accepts (at most 100 years). */
export const arbDuration: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 100 }), fc.constantFrom(...UNITS))
  .map(([count, unit]) => `${count}${unit}`);

const arbLimit = fc.integer({ min: 1, max: MAX_LIMIT });

const arbTokenOwner: fc.Arbitrary<TokenOwnerClause> = fc.oneof(
  fc.constant({ kind: 'own' as const }),
  arbName.map((user) => ({ kind: 'user' as const, user })),
  fc.constant({ kind: 'administrative' as const }),
);

const arbGrant: fc.Arbitrary<StatementGrant> = fc.oneof(
  fc.record({ bucket: arbName, access: fc.constantFrom('read' as const, 'write' as const) }),
  fc.record({ component: arbName, action: fc.constantFrom('run' as const, 'configure' as const, 'all' as const) }),
  fc.record({ scope: arbName }),
);

const arbCreate = fc
  .record(
    {
      type: fc.constantFrom('personal' as const, 'limited' as const),
      name: arbName,
      owner: arbTokenOwner,
      maxDuration: fc.option(arbDuration, { nil: null }),
      comment: arbText,
      grants: fc.array(arbGrant, { maxLength: 4 }),
    },
    { requiredKeys: ['owner'] },
  )
  .map((fields): Statement => {
    // Administrative tokens take no PERSONAL or LIMITED: their type is the ADMINISTRATIVE keyword.
    const { type, ...rest } = fields;
    return rest.owner.kind === 'administrative' || type === undefined
      ? { kind: 'createToken', ...rest }
      : { kind: 'createToken', type, ...rest };
  });

const named = { name: arbName, owner: arbTokenOwner };

/** Every statement of the grammar, with awkward names and strings. */
export const arbStatement: fc.Arbitrary<Statement> = fc.oneof(
  arbCreate,
  fc
    .record(
      {
        owner: fc.oneof(arbTokenOwner, fc.constant({ kind: 'all' as const })),
        includeExpired: fc.boolean(),
        includeRevoked: fc.boolean(),
        limit: arbLimit,
      },
      { requiredKeys: ['owner', 'includeExpired', 'includeRevoked'] },
    )
    .map((fields): Statement => ({ kind: 'showTokens', ...fields })),
  fc.record({ ...named, comment: arbText }).map((fields): Statement => ({ kind: 'alterTokenComment', ...fields })),
  fc
    .record({ ...named, gracePeriod: arbDuration }, { requiredKeys: ['name', 'owner'] })
    .map((fields): Statement => ({ kind: 'rotateToken', ...fields })),
  fc.record({ ...named, ifExists: fc.boolean() }).map((fields): Statement => ({ kind: 'dropToken', ...fields })),
  arbName.map((user): Statement => ({ kind: 'dropAllTokens', user })),
  fc
    .record({
      subject: fc.record({ kind: fc.constantFrom('user' as const, 'role' as const), name: arbName }),
      maxDuration: fc.option(arbDuration, { nil: null }),
    })
    .map((fields): Statement => ({ kind: 'setMaxDuration', ...fields })),
  fc
    .oneof(
      fc.constant({ kind: 'own' as const }),
      arbName.map((user) => ({ kind: 'user' as const, user })),
    )
    .map((owner): Statement => ({ kind: 'showMaxDuration', owner })),
  fc
    .record({ ...named, validFor: arbDuration }, { requiredKeys: ['name', 'owner'] })
    .map((fields): Statement => ({ kind: 'shareToken', ...fields })),
  arbText.map((code): Statement => ({ kind: 'claimToken', code })),
  fc
    .record({ ...named, limit: arbLimit }, { requiredKeys: ['name', 'owner'] })
    .map((fields): Statement => ({ kind: 'showTokenEvents', ...fields })),
  fc
    .record({
      ...named,
      change: fc.oneof(
        fc.record({
          // JSON data as a string carries it: -0 is 0 there (the reader reads it so).
          meta: fc.option(
            fc
              .dictionary(
                arbText,
                fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown),
              )
              // The reader checks META by the service's rules (one-line keys, no prototype keys, …) where it stands.
              .filter(acceptedMeta),
            { nil: null },
          ),
        }),
        fc.record({ enabled: fc.boolean() }),
        fc.record({ newName: arbName }),
        fc.record({ maxDuration: fc.option(arbDuration, { nil: null }) }),
      ),
    })
    .map((fields): Statement => ({ kind: 'updateToken', ...fields })),
  fc
    .record(
      { within: arbDuration, owner: fc.oneof(arbTokenOwner, fc.constant({ kind: 'all' as const })), limit: arbLimit },
      { requiredKeys: ['within', 'owner'] },
    )
    .map((fields): Statement => ({ kind: 'showExpiringTokens', ...fields })),
);

/** A statement without its source span, for comparing parsed statements with generated ones. */
export function withoutSpan(statement: Statement & { readonly span?: unknown }): Statement {
  const { span: _span, ...rest } = statement;
  return rest as Statement;
}

/** Whether the service takes `meta` as token metadata (what `SET META` is checked against when parsed). */
function acceptedMeta(meta: Record<string, unknown>): boolean {
  try {
    tokenMeta(meta);
    return true;
  } catch {
    return false;
  }
}
