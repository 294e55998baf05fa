/**
 * @internal Schema and table names of the PostgreSQL store, validated once
 * and quoted, so that no caller-supplied text ever reaches SQL unchecked.
 */
import { TokenError } from '../../core/errors.js';

/** Where the tables live: a schema and a table prefix. */
export interface PostgresLocation {
  /** The schema holding the tables (default `public`). Created by `migrate` if missing. */
  readonly schema?: string;
  /** Prepended to every table and index name (default `tokenward_`); may be empty. */
  readonly tablePrefix?: string;
}

/** Validated, quoted names of every table. */
export interface TableNames {
  readonly schema: string;
  readonly prefix: string;
  readonly tokens: string;
  readonly events: string;
  readonly claims: string;
  readonly policies: string;
  readonly revokedSessions: string;
  /** The function that spends from a token's meter (migration 4). */
  readonly spend: string;
  /** Expiry-warning markers (issue 13). */
  readonly expiryWarnings: string;
  /** The version of each tenant's duration policies (migration 6). */
  readonly policyVersions: string;
  /** The function that issues a token in one call (migration 6). */
  readonly issue: string;
  readonly migrations: string;
  /** The LISTEN/NOTIFY channel carrying ids of changed tokens. */
  readonly channel: string;
  /** Advisory-lock namespace of this store (first key of two-key advisory locks). */
  readonly lockSpace: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;

/** The default schema. */
export const DEFAULT_SCHEMA = 'public';
/** The default table prefix. */
export const DEFAULT_TABLE_PREFIX = 'tokenward_';

/**
 * Checks `schema` and `tablePrefix` (lowercase letters, digits and `_`, not
 * starting with a digit, at most 41 characters, so every derived index name
 * fits PostgreSQL's 63-byte limit) and returns the quoted table names.
 */
export function tableNames(location: PostgresLocation = {}): TableNames {
  const schema = location.schema ?? DEFAULT_SCHEMA;
  const prefix = location.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) {
    throw new TokenError('invalid_request', 'schema must match /^[a-z_][a-z0-9_]{0,40}$/', { field: 'schema' });
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !IDENTIFIER.test(prefix))) {
    throw new TokenError('invalid_request', 'tablePrefix must be empty or match /^[a-z_][a-z0-9_]{0,40}$/', {
      field: 'tablePrefix',
    });
  }
  const table = (name: string): string => `"${schema}"."${prefix}${name}"`;
  return {
    schema,
    prefix,
    tokens: table('tokens'),
    events: table('events'),
    claims: table('claims'),
    policies: table('policies'),
    revokedSessions: table('revoked_sessions'),
    spend: table('spend'),
    expiryWarnings: table('expiry_warnings'),
    policyVersions: table('policy_versions'),
    issue: table('issue'),
    migrations: table('schema_migrations'),
    channel: invalidationChannel(schema, prefix),
    lockSpace: `tokenward:${schema}.${prefix}`,
  };
}

/**
 * The notification channel of one store: `tokenward:<schema>.<prefix>` when
 * that fits PostgreSQL's 63-byte identifier limit, otherwise `tokenward:`
 * followed by a 64-bit FNV-1a hash of `<schema>.<prefix>` in hex.
 */
export function invalidationChannel(schema: string, prefix: string): string {
  const plain = `tokenward:${schema}.${prefix}`;
  if (plain.length <= 63) return plain;
  return `tokenward:${fnv1a64(`${schema}.${prefix}`)}`;
}

/**
 * @internal A 64-bit FNV-1a hash of `text` as 16 hex digits. It hashes UTF-16
 * code units, which are the bytes of the ASCII it is given (validated names, SQL).
 */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** @internal FNV-1a over the UTF-8 bytes of `text`, as a signed 32-bit integer (an advisory-lock key). */
export function int32Hash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
