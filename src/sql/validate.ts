import { TokenError } from '../core/errors.js';
import { MAX_LIMIT } from './reader.js';
import type { Statement, StatementKind } from './types.js';

/**
 * @internal Checks the shape of a statement handed to `executeStatement`
 * (apps may build statements in code, or from JSON): every field of its
 * kind present with the right type, nothing unknown. The values themselves
 * (names, durations, comments) are the service's to check.
 */

type Rule = (value: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text: Rule = (value) => typeof value === 'string';
const flag: Rule = (value) => typeof value === 'boolean';
const optional =
  (rule: Rule): Rule =>
  (value) =>
    value === undefined || rule(value);
const oneOf =
  (...allowed: readonly unknown[]): Rule =>
  (value) =>
    allowed.includes(value);
const limit: Rule = (value) => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_LIMIT;

const owner =
  (...kinds: readonly string[]): Rule =>
  (value) =>
    isObject(value) &&
    kinds.includes(value.kind as string) &&
    Object.keys(value).length === (value.kind === 'user' ? 2 : 1) &&
    (value.kind !== 'user' || typeof value.user === 'string');

const grant: Rule = (value) => {
  if (!isObject(value)) return false;
  const keys = Object.keys(value).sort().join(',');
  if (keys === 'access,bucket') return text(value.bucket) && oneOf('read', 'write')(value.access);
  if (keys === 'action,component') return text(value.component) && oneOf('run', 'configure', 'all')(value.action);
  return keys === 'scope' && text(value.scope);
};
const grants: Rule = (value) => Array.isArray(value) && value.every(grant);

const TOKEN_OWNER = owner('own', 'user', 'administrative');

/** The one change of an `updateToken` statement. */
const change: Rule = (value) => {
  if (!isObject(value) || Object.keys(value).length !== 1) return false;
  if ('meta' in value) return value.meta === null || isObject(value.meta);
  if ('enabled' in value) return flag(value.enabled);
  if ('newName' in value) return text(value.newName);
  return 'maxDuration' in value && (value.maxDuration === null || text(value.maxDuration));
};

const RULES: Readonly<Record<StatementKind, Readonly<Record<string, Rule>>>> = {
  createToken: {
    type: optional(oneOf('personal', 'limited')),
    name: optional(text),
    owner: TOKEN_OWNER,
    maxDuration: optional((value) => value === null || text(value)),
    comment: optional(text),
    grants: optional(grants),
  },
  showTokens: {
    owner: owner('own', 'user', 'administrative', 'all'),
    includeExpired: flag,
    includeRevoked: flag,
    limit: optional(limit),
  },
  alterTokenComment: { name: text, owner: TOKEN_OWNER, comment: text },
  rotateToken: { name: text, owner: TOKEN_OWNER, gracePeriod: optional(text) },
  dropToken: { name: text, owner: TOKEN_OWNER, ifExists: flag },
  dropAllTokens: { user: text },
  setMaxDuration: {
    subject: (value) =>
      isObject(value) && Object.keys(value).length === 2 && oneOf('user', 'role')(value.kind) && text(value.name),
    maxDuration: (value) => value === null || text(value),
  },
  showMaxDuration: { owner: owner('own', 'user') },
  shareToken: { name: text, owner: TOKEN_OWNER, validFor: optional(text) },
  claimToken: { code: text },
  showTokenEvents: { name: text, owner: TOKEN_OWNER, limit: optional(limit) },
  updateToken: { name: text, owner: TOKEN_OWNER, change },
  showExpiringTokens: { within: text, owner: owner('own', 'user', 'administrative', 'all'), limit: optional(limit) },
};

function malformed(field: string, what: string): TokenError {
  return new TokenError('invalid_request', `${field} ${what}`, { field });
}

/** @internal The statement, checked; a `TokenError('invalid_request')` naming the first bad field otherwise. */
export function checkStatement(statement: unknown): Statement {
  if (!isObject(statement) || typeof statement.kind !== 'string' || !Object.hasOwn(RULES, statement.kind)) {
    throw malformed('statement.kind', 'must name a known statement');
  }
  const rules = RULES[statement.kind as StatementKind];
  for (const key of Object.keys(statement)) {
    if (key !== 'kind' && key !== 'span' && !Object.hasOwn(rules, key)) {
      throw malformed(`statement.${key}`, 'is not a field of this statement');
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    if (!rule(statement[key])) throw malformed(`statement.${key}`, 'is missing or malformed');
  }
  if (
    statement.kind === 'createToken' &&
    statement.type !== undefined &&
    (statement.owner as { kind: string }).kind === 'administrative'
  ) {
    throw malformed('statement.type', 'must be absent for an administrative token');
  }
  return statement as unknown as Statement;
}
