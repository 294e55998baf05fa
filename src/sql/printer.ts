import { TokenError } from '../core/errors.js';
import { isKeyword } from './keywords.js';
import { isBareWord } from './lexer.js';
import type { Statement, StatementGrant, TokenOwnerClause } from './types.js';

/**
 * A name as a statement writes it: bare when it can be (`ci_pipeline`),
 * otherwise double-quoted with `"` doubled (`"CI ""main"""`). Keywords are
 * always quoted, in any case.
 *
 * @example
 * ```ts
 * import { quoteName } from 'tokenward/sql';
 * quoteName('report bot'); // '"report bot"'
 * ```
 */
export function quoteName(name: string): string {
  return isBareWord(name) && !isKeyword(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal: single-quoted with `'` doubled.
 *
 * @example
 * ```ts
 * import { quoteString } from 'tokenward/sql';
 * quoteString("it's"); // "'it''s'"
 * ```
 */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function printGrant(grant: StatementGrant): string {
  if ('bucket' in grant) return `${grant.access.toUpperCase()} ON BUCKET ${quoteName(grant.bucket)}`;
  if ('component' in grant) return `${grant.action.toUpperCase()} ON COMPONENT ${quoteName(grant.component)}`;
  return `SCOPE ${quoteName(grant.scope)}`;
}

/** The items of a `GRANTS (…)` clause, comma-separated, without the parentheses. */
export function printGrantList(grants: readonly StatementGrant[]): string {
  return grants.map(printGrant).join(', ');
}

/** `ADMINISTRATIVE ` before `API TOKEN` for administrative tokens. */
function modifier(owner: { readonly kind: string }): string {
  return owner.kind === 'administrative' ? 'ADMINISTRATIVE ' : '';
}

/** ` FOR USER u` after a token name, when there is one. */
function forUser(owner: TokenOwnerClause | { readonly kind: 'all' }): string {
  if (owner.kind === 'user') return ` FOR USER ${quoteName(owner.user)}`;
  if (owner.kind === 'all') return ' FOR ALL USERS';
  return '';
}

function limitClause(limit: number | undefined): string {
  return limit === undefined ? '' : ` LIMIT ${limit}`;
}

function printCreate(statement: Extract<Statement, { kind: 'createToken' }>): string {
  const type = statement.type === undefined ? '' : `${statement.type.toUpperCase()} `;
  let text = `CREATE ${type}${modifier(statement.owner)}API TOKEN`;
  if (statement.name !== undefined) text += ` ${quoteName(statement.name)}`;
  text += forUser(statement.owner);
  if (statement.maxDuration !== undefined) {
    text += ` MAX DURATION ${statement.maxDuration === null ? 'UNLIMITED' : quoteString(statement.maxDuration)}`;
  }
  if (statement.comment !== undefined) text += ` COMMENT ${quoteString(statement.comment)}`;
  if (statement.grants !== undefined) text += ` GRANTS (${printGrantList(statement.grants)})`;
  return text;
}

function printShowTokens(statement: Extract<Statement, { kind: 'showTokens' }>): string {
  const included = [statement.includeExpired ? 'EXPIRED' : '', statement.includeRevoked ? 'REVOKED' : ''].filter(
    (word) => word !== '',
  );
  const include = included.length === 0 ? '' : ` INCLUDE ${included.join(', ')}`;
  return `SHOW ${modifier(statement.owner)}API TOKENS${forUser(statement.owner)}${include}${limitClause(statement.limit)}`;
}

/** `[ADMINISTRATIVE] API TOKEN name [FOR USER u]`, the way most statements name a token. */
function tokenRef(statement: { readonly name: string; readonly owner: TokenOwnerClause }): string {
  return `${modifier(statement.owner)}API TOKEN ${quoteName(statement.name)}${forUser(statement.owner)}`;
}

/** The change of `ALTER API TOKEN … SET META | UNSET META | ENABLE | DISABLE | RENAME TO | SET MAX DURATION`. */
function printChange(change: Extract<Statement, { kind: 'updateToken' }>['change']): string {
  if ('meta' in change)
    return change.meta === null ? 'UNSET META' : `SET META ${quoteString(JSON.stringify(change.meta))}`;
  if ('enabled' in change) return change.enabled ? 'ENABLE' : 'DISABLE';
  if ('newName' in change) return `RENAME TO ${quoteName(change.newName)}`;
  return `SET MAX DURATION ${change.maxDuration === null ? 'UNLIMITED' : quoteString(change.maxDuration)}`;
}

/**
 * The canonical text of a statement, on one line and without the closing
 * `;`: keywords in capitals, clauses in the documented order, names quoted
 * only where needed. `parseStatements(printStatement(s))` gives back `s`.
 *
 * @throws TokenError `invalid_request` (field `statement`) for an object that is not a statement.
 *
 * @example
 * ```ts
 * import { printStatement } from 'tokenward/sql';
 * printStatement({ kind: 'dropToken', name: 'report bot', owner: { kind: 'user', user: 'analyst' }, ifExists: false });
 * // 'DROP API TOKEN "report bot" FOR USER analyst'
 * ```
 */
export function printStatement(statement: Statement): string {
  switch (statement?.kind) {
    case 'createToken':
      return printCreate(statement);
    case 'showTokens':
      return printShowTokens(statement);
    case 'alterTokenComment':
      return `ALTER ${tokenRef(statement)} SET COMMENT ${quoteString(statement.comment)}`;
    case 'rotateToken': {
      const grace = statement.gracePeriod === undefined ? '' : ` GRACE PERIOD ${quoteString(statement.gracePeriod)}`;
      return `ALTER ${tokenRef(statement)} ROTATE${grace}`;
    }
    case 'dropToken': {
      const ifExists = statement.ifExists ? 'IF EXISTS ' : '';
      return `DROP ${modifier(statement.owner)}API TOKEN ${ifExists}${quoteName(statement.name)}${forUser(statement.owner)}`;
    }
    case 'dropAllTokens':
      return `DROP ALL API TOKENS FOR USER ${quoteName(statement.user)}`;
    case 'setMaxDuration': {
      const subject = `ALTER ${statement.subject.kind.toUpperCase()} ${quoteName(statement.subject.name)}`;
      return statement.maxDuration === null
        ? `${subject} UNSET API TOKEN MAX DURATION`
        : `${subject} SET API TOKEN MAX DURATION ${quoteString(statement.maxDuration)}`;
    }
    case 'showMaxDuration':
      return `SHOW API TOKEN MAX DURATION${forUser(statement.owner)}`;
    case 'shareToken': {
      const validFor = statement.validFor === undefined ? '' : ` VALID FOR ${quoteString(statement.validFor)}`;
      return `SHARE ${tokenRef(statement)}${validFor}`;
    }
    case 'claimToken':
      return `CLAIM API TOKEN ${quoteString(statement.code)}`;
    case 'showTokenEvents':
      return `SHOW EVENTS FOR ${tokenRef(statement)}${limitClause(statement.limit)}`;
    case 'updateToken':
      return `ALTER ${tokenRef(statement)} ${printChange(statement.change)}`;
    case 'showExpiringTokens': {
      const within = ` WITHIN ${quoteString(statement.within)}`;
      return `SHOW EXPIRING ${modifier(statement.owner)}API TOKENS${within}${forUser(statement.owner)}${limitClause(statement.limit)}`;
    }
    default:
      throw new TokenError('invalid_request', 'statement is not a known statement', { field: 'statement' });
  }
}

/** A script: each statement printed and closed with `;`, one per line. */
export function printStatements(statements: readonly Statement[]): string {
  return statements.map((statement) => `${printStatement(statement)};\n`).join('');
}
