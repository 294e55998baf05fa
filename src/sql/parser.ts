import { TokenError } from '../core/errors.js';
import { Reader } from './reader.js';
import type {
  CreateTokenStatement,
  ParsedStatement,
  ShowTokensStatement,
  Statement,
  StatementGrant,
  TokenOwnerClause,
} from './types.js';

const USER_NAME = 'a user name';
const TOKEN_NAME = 'a token name';

/** `[FOR USER u]` after a token name; administrative tokens have no user. */
function ownerAfterName(reader: Reader, administrative: boolean): TokenOwnerClause {
  if (administrative) return { kind: 'administrative' };
  if (!reader.accept('FOR', 'FOR USER')) return { kind: 'own' };
  reader.expect('USER');
  return { kind: 'user', user: reader.name(USER_NAME) };
}

function grant(reader: Reader): StatementGrant {
  for (const access of ['read', 'write'] as const) {
    if (reader.accept(access.toUpperCase())) {
      reader.expect('ON', 'BUCKET');
      return { bucket: reader.name('a bucket name'), access };
    }
  }
  for (const action of ['run', 'configure', 'all'] as const) {
    if (reader.accept(action.toUpperCase())) {
      reader.expect('ON', 'COMPONENT');
      return { component: reader.name('a component name'), action };
    }
  }
  if (reader.accept('SCOPE')) return { scope: reader.name('a scope name') };
  return reader.fail();
}

/** `( grant [, grant]… )`, possibly empty. */
function grantList(reader: Reader): StatementGrant[] {
  reader.expectPunct('(');
  const grants: StatementGrant[] = [];
  if (reader.acceptPunct(')')) return grants;
  do grants.push(grant(reader));
  while (reader.acceptPunct(','));
  reader.expectPunct(')');
  return grants;
}

/** CREATE … API TOKEN: its optional clauses come in any order, each at most once. */
function create(reader: Reader): CreateTokenStatement {
  let type: 'personal' | 'limited' | undefined;
  let owner: TokenOwnerClause = { kind: 'own' };
  if (reader.accept('PERSONAL')) type = 'personal';
  else if (reader.accept('LIMITED')) type = 'limited';
  else if (reader.accept('ADMINISTRATIVE')) owner = { kind: 'administrative' };
  reader.expect('API', 'TOKEN');
  const name = reader.isName(TOKEN_NAME) ? reader.name(TOKEN_NAME) : undefined;
  let maxDuration: string | null | undefined;
  let comment: string | undefined;
  let grants: StatementGrant[] | undefined;
  const seen = new Set<string>();
  for (;;) {
    const at = reader.here;
    if (owner.kind !== 'administrative' && reader.accept('FOR', 'FOR USER')) {
      reader.once(seen, 'FOR USER', at);
      reader.expect('USER');
      owner = { kind: 'user', user: reader.name(USER_NAME) };
    } else if (reader.accept('MAX', 'MAX DURATION')) {
      reader.once(seen, 'MAX DURATION', at);
      reader.expect('DURATION');
      maxDuration = reader.accept('UNLIMITED') ? null : reader.duration();
    } else if (reader.accept('COMMENT')) {
      reader.once(seen, 'COMMENT', at);
      comment = reader.string('a comment string');
    } else if (reader.accept('GRANTS')) {
      reader.once(seen, 'GRANTS', at);
      grants = grantList(reader);
    } else {
      break;
    }
  }
  return {
    kind: 'createToken',
    ...(type === undefined ? {} : { type }),
    ...(name === undefined ? {} : { name }),
    owner,
    ...(maxDuration === undefined ? {} : { maxDuration }),
    ...(comment === undefined ? {} : { comment }),
    ...(grants === undefined ? {} : { grants }),
  };
}

/** `INCLUDE EXPIRED[, REVOKED]`, either order, each once. */
function includeList(reader: Reader): { expired: boolean; revoked: boolean } {
  const seen = new Set<string>();
  do {
    const at = reader.here;
    const which = reader.accept('EXPIRED') ? 'EXPIRED' : reader.accept('REVOKED') ? 'REVOKED' : reader.fail();
    reader.once(seen, which, at);
  } while (reader.acceptPunct(','));
  return { expired: seen.has('EXPIRED'), revoked: seen.has('REVOKED') };
}

/**
 * SHOW [ADMINISTRATIVE] API TOKENS: its optional clauses come in any order,
 * each at most once (`INCLUDE` only when `withInclude`: not for `SHOW EXPIRING`).
 */
function showTokens(reader: Reader, administrative: boolean, withInclude = true): ShowTokensStatement {
  let owner: ShowTokensStatement['owner'] = administrative ? { kind: 'administrative' } : { kind: 'own' };
  let include = { expired: false, revoked: false };
  let limit: number | undefined;
  const seen = new Set<string>();
  for (;;) {
    const at = reader.here;
    if (!administrative && reader.accept('FOR', 'FOR USER')) {
      reader.once(seen, 'FOR', at);
      if (reader.accept('ALL', 'ALL USERS')) {
        reader.expect('USERS');
        owner = { kind: 'all' };
      } else {
        reader.expect('USER');
        owner = { kind: 'user', user: reader.name(USER_NAME) };
      }
    } else if (withInclude && reader.accept('INCLUDE')) {
      reader.once(seen, 'INCLUDE', at);
      include = includeList(reader);
    } else if (reader.accept('LIMIT')) {
      reader.once(seen, 'LIMIT', at);
      limit = reader.limit();
    } else {
      break;
    }
  }
  return {
    kind: 'showTokens',
    owner,
    includeExpired: include.expired,
    includeRevoked: include.revoked,
    ...(limit === undefined ? {} : { limit }),
  };
}

/** SHOW EXPIRING [ADMINISTRATIVE] API TOKENS WITHIN 'd' [FOR USER u | FOR ALL USERS] [LIMIT n]. */
function showExpiring(reader: Reader): Statement {
  const administrative = reader.accept('ADMINISTRATIVE');
  reader.expect('API', 'TOKENS', 'WITHIN');
  const within = reader.duration();
  const listed = showTokens(reader, administrative, false);
  return {
    kind: 'showExpiringTokens',
    within,
    owner: listed.owner,
    ...(listed.limit === undefined ? {} : { limit: listed.limit }),
  };
}

function show(reader: Reader): Statement {
  if (reader.accept('EXPIRING')) return showExpiring(reader);
  if (reader.accept('EVENTS')) {
    reader.expect('FOR');
    const administrative = reader.accept('ADMINISTRATIVE');
    reader.expect('API', 'TOKEN');
    const name = reader.name(TOKEN_NAME);
    const owner = ownerAfterName(reader, administrative);
    const limit = reader.accept('LIMIT') ? reader.limit() : undefined;
    return { kind: 'showTokenEvents', name, owner, ...(limit === undefined ? {} : { limit }) };
  }
  const administrative = reader.accept('ADMINISTRATIVE');
  reader.expect('API');
  if (!administrative && reader.accept('TOKEN')) {
    reader.expect('MAX', 'DURATION');
    const owner = ownerAfterName(reader, false);
    return { kind: 'showMaxDuration', owner: owner.kind === 'user' ? owner : { kind: 'own' } };
  }
  reader.expect('TOKENS');
  return showTokens(reader, administrative);
}

function alter(reader: Reader): Statement {
  for (const kind of ['user', 'role'] as const) {
    if (!reader.accept(kind.toUpperCase())) continue;
    const name = reader.name(kind === 'user' ? USER_NAME : 'a role name');
    let maxDuration: string | null;
    if (reader.accept('SET')) {
      reader.expect('API', 'TOKEN', 'MAX', 'DURATION');
      maxDuration = reader.duration();
    } else if (reader.accept('UNSET')) {
      reader.expect('API', 'TOKEN', 'MAX', 'DURATION');
      maxDuration = null;
    } else {
      return reader.fail();
    }
    return { kind: 'setMaxDuration', subject: { kind, name }, maxDuration };
  }
  const administrative = reader.accept('ADMINISTRATIVE');
  reader.expect('API', 'TOKEN');
  const name = reader.name(TOKEN_NAME);
  const owner = ownerAfterName(reader, administrative);
  if (reader.accept('SET')) {
    if (reader.accept('COMMENT'))
      return { kind: 'alterTokenComment', name, owner, comment: reader.string('a comment string') };
    if (reader.accept('META')) return { kind: 'updateToken', name, owner, change: { meta: reader.metaObject() } };
    reader.expect('MAX', 'DURATION');
    const maxDuration = reader.accept('UNLIMITED') ? null : reader.duration();
    return { kind: 'updateToken', name, owner, change: { maxDuration } };
  }
  if (reader.accept('ROTATE')) {
    if (!reader.accept('GRACE', 'GRACE PERIOD')) return { kind: 'rotateToken', name, owner };
    reader.expect('PERIOD');
    return { kind: 'rotateToken', name, owner, gracePeriod: reader.duration() };
  }
  return alterChange(reader, name, owner);
}

/** The changes of `ALTER API TOKEN` that take no value, or a new name (extensions: `update`). */
function alterChange(reader: Reader, name: string, owner: TokenOwnerClause): Statement {
  if (reader.accept('UNSET', 'UNSET META')) {
    reader.expect('META');
    return { kind: 'updateToken', name, owner, change: { meta: null } };
  }
  for (const [word, enabled] of [
    ['ENABLE', true],
    ['DISABLE', false],
  ] as const) {
    if (reader.accept(word)) return { kind: 'updateToken', name, owner, change: { enabled } };
  }
  if (reader.accept('RENAME', 'RENAME TO')) {
    reader.expect('TO');
    return { kind: 'updateToken', name, owner, change: { newName: reader.name(TOKEN_NAME) } };
  }
  return reader.fail();
}

function drop(reader: Reader): Statement {
  if (reader.accept('ALL')) {
    reader.expect('API', 'TOKENS', 'FOR', 'USER');
    return { kind: 'dropAllTokens', user: reader.name(USER_NAME) };
  }
  const administrative = reader.accept('ADMINISTRATIVE');
  reader.expect('API', 'TOKEN');
  const ifExists = reader.accept('IF', 'IF EXISTS');
  if (ifExists) reader.expect('EXISTS');
  const name = reader.name(TOKEN_NAME);
  return { kind: 'dropToken', name, owner: ownerAfterName(reader, administrative), ifExists };
}

function share(reader: Reader): Statement {
  const administrative = reader.accept('ADMINISTRATIVE');
  reader.expect('API', 'TOKEN');
  const name = reader.name(TOKEN_NAME);
  const owner = ownerAfterName(reader, administrative);
  if (!reader.accept('VALID', 'VALID FOR')) return { kind: 'shareToken', name, owner };
  reader.expect('FOR');
  return { kind: 'shareToken', name, owner, validFor: reader.duration() };
}

function statement(reader: Reader): Statement {
  if (reader.accept('CREATE')) return create(reader);
  if (reader.accept('SHOW')) return show(reader);
  if (reader.accept('ALTER')) return alter(reader);
  if (reader.accept('DROP')) return drop(reader);
  if (reader.accept('SHARE')) return share(reader);
  if (reader.accept('CLAIM')) {
    reader.expect('API', 'TOKEN');
    return { kind: 'claimToken', code: reader.string('a claim code string') };
  }
  return reader.fail();
}

/**
 * Parses a script of `;`-separated statements: Tengri's token statements
 * (seed 002) and tokenward's extensions (docs/sql.md). Keywords are
 * case-insensitive; names are case-sensitive, bare (`ci_pipeline`) or
 * double-quoted (`"CI pipeline"`, `""` for a quote); strings are
 * single-quoted (`''` for a quote); `--` and `/* … *\/` are comments; empty
 * statements are skipped.
 *
 * Names, comments and durations are checked for form only here; the
 * service checks them again when a statement runs.
 *
 * @param text - the script.
 * @returns the statements in order, each with its `span` in the text.
 * @throws StatementError (`invalid_request`) naming the line and column of the first problem and what was expected there.
 *
 * @example
 * ```ts
 * import { parseStatements } from 'tokenward/sql';
 * const [create] = parseStatements("CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT 'CI';");
 * // { kind: 'createToken', name: 'ci_pipeline', owner: { kind: 'own' }, maxDuration: '30d', comment: 'CI', span: … }
 * ```
 */
export function parseStatements(text: string): ParsedStatement[] {
  if (typeof text !== 'string') {
    throw new TokenError('invalid_request', 'text must be a string of statements', { field: 'text' });
  }
  const reader = new Reader(text);
  const statements: ParsedStatement[] = [];
  for (;;) {
    while (reader.isPunct(';')) reader.acceptPunct(';');
    if (reader.atEnd) return statements;
    const start = reader.here;
    const parsed = statement(reader);
    statements.push({ ...parsed, span: { start, end: reader.lastEnd } });
    if (reader.atEnd) return statements;
    if (!reader.acceptPunct(';')) reader.fail('the end of the input');
  }
}
