/**
 * @internal The memory repository's token table: records written into rows
 * (`rows.ts`) and read back out of them, and the id → row map.
 *
 * A row holds each field in a column when the value fits it (a string, a
 * 32-bit integer, a time); the tenant and owner are the row's namespace's,
 * copied into the row. Everything else — fields that are usually empty (a
 * comment, the previous secret of a rotation, `rotatedAt`), values that do
 * not fit their column, and any field this table does not know — goes into one
 * frozen object per row, `rest`, which is null for most tokens and
 * overrides the columns when read. So a field added to `TokenRecord` is
 * stored and read back correctly before it gets a column of its own.
 *
 * Reading builds a new record object each time (a copy: nothing a caller
 * does to it reaches storage); the grants list and `rest` values in it are
 * frozen and shared.
 */
import { digestTextToWords, digestWordsToText } from '../../core/digest-text.js';
import type { VerificationRecord } from '../../core/repository.js';
import type { Grant, StoredTokenType, TokenRecord } from '../../core/types.js';
import { frozenGrants } from '../shared/freeze.js';
import { IdIndex } from './id-index.js';
import { MASTER_CODE, type Namespace, Namespaces } from './namespaces.js';
import {
  fitsInt,
  fitsTime,
  HASH_WORDS,
  IN_CHUNK,
  INT,
  INTS,
  REF,
  REFS,
  Rows,
  TIME,
  TIMES,
  timeOrNull,
} from './rows.js';
import { flatCopy, plainJsonKey, SharedPool } from './sharing.js';

/** The type column's codes: a type's index here. */
const TYPE_NAMES: readonly StoredTokenType[] = ['administrative', 'personal', 'master', 'limited'];
if (TYPE_NAMES[MASTER_CODE] !== 'master') throw new Error('type codes out of step');

const scratchHash = new Int32Array(HASH_WORDS);

/** Fields read from columns or from the namespace; any other field is kept in `rest`. */
const COLUMN_FIELDS = new Set([
  'id',
  'tenant',
  'owner',
  'type',
  'name',
  'grants',
  'secretHash',
  'pepperVersion',
  'createdAt',
  'expiresAt',
  'revokedAt',
  'lastUsedAt',
  'createdBy',
  'version',
]);

/** Fields without a column, and the value a read gives them when `rest` does not have them. */
const USUAL: Readonly<Record<string, unknown>> = {
  comment: '',
  previousSecretHash: null,
  previousPepperVersion: null,
  previousExpiresAt: null,
  rotatedAt: null,
  meter: null,
  meta: null,
  enabled: true,
  lookupHash: null,
};

/** Whether a column can hold the value of a field exactly (else it goes into `rest`). */
function fitsColumn(field: string, value: unknown): boolean {
  switch (field) {
    case 'id':
    case 'name':
    case 'createdBy':
      return typeof value === 'string';
    case 'secretHash':
      // Kept as the digest's words: only the text of a 32-byte digest fits.
      return digestTextToWords(value as string, scratchHash, 0);
    case 'tenant':
      return typeof value === 'string';
    case 'owner':
      return value === null || typeof value === 'string';
    case 'type':
      return TYPE_NAMES.includes(value as StoredTokenType);
    case 'grants':
      return value === null || Array.isArray(value);
    case 'pepperVersion':
    case 'version':
      return fitsInt(value);
    case 'createdAt':
      return typeof value === 'number' && !Number.isNaN(value);
    default:
      return fitsTime(value);
  }
}

/** A stored copy of a `rest` value: strings flat, objects deep-frozen copies. */
function storedValue(value: unknown): unknown {
  if (typeof value === 'string') return flatCopy(value);
  if (typeof value !== 'object' || value === null) return value;
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The fields of `record` no column holds, frozen; null when there are none. */
function restOf(record: TokenRecord): Readonly<Record<string, unknown>> | null {
  let rest: Record<string, unknown> | null = null;
  for (const [field, value] of Object.entries(record)) {
    const fits = COLUMN_FIELDS.has(field)
      ? fitsColumn(field, value)
      : Object.hasOwn(USUAL, field) && USUAL[field] === value;
    if (fits) continue;
    rest ??= {};
    rest[field] = storedValue(value);
  }
  return rest === null ? null : Object.freeze(rest);
}

/** A record ready to write: its strings copied flat, its grants and rest frozen. */
export interface PreparedRow {
  readonly record: TokenRecord;
  readonly id: string | null;
  readonly tenant: string;
  readonly owner: string | null;
  readonly name: string | null;
  readonly grants: readonly Grant[] | null;
  readonly rest: Readonly<Record<string, unknown>> | null;
}

export class TokenTable {
  readonly rows = new Rows();
  private readonly ids = new IdIndex(this.rows);
  readonly namespaces = new Namespaces(this.rows, {
    compare: (a, b) => this.compareRows(a, b),
    compareTo: (slot, time, id) => this.compareRowTo(slot, time, id),
  });
  /** Grant lists shared by the tokens that carry equal ones (frozen). */
  private readonly grantLists = new SharedPool<readonly Grant[]>(4096);

  /** The row of a token id, or undefined. */
  slotOf(id: string): number | undefined {
    return this.ids.find(id);
  }

  /** The id of a row: its text column (or its rest, for an id that is not a string). */
  idOf(slot: number): string {
    const id = this.rows.ref(slot, REF.id);
    if (typeof id === 'string') return id;
    return (this.rows.ref(slot, REF.rest) as { readonly id: string }).id;
  }

  /** Listing order, `(createdAt, id)` ascending. */
  compareRows(a: number, b: number): number {
    const { rows } = this;
    const timeA = rows.time(a, TIME.createdAt);
    const timeB = rows.time(b, TIME.createdAt);
    if (timeA !== timeB) return timeA < timeB ? -1 : 1;
    return compareText(this.idOf(a), this.idOf(b));
  }

  /** The order of a row against the key `(time, id)`. */
  compareRowTo(slot: number, time: number, id: string): number {
    const own = this.rows.time(slot, TIME.createdAt);
    if (own !== time) return own < time ? -1 : 1;
    return compareText(this.idOf(slot), id);
  }

  /** The record in a row, as a new object; the stored hash is spelled from its words. */
  read(slot: number): TokenRecord {
    const { hashes } = this.rows.chunk(slot);
    return this.build(slot, digestWordsToText(hashes, (slot & IN_CHUNK) * HASH_WORDS));
  }

  /**
   * The record in a row for verification (`findByIdSync(id, 'verification')`):
   * the stored hash left as its words in the hash column, `secretHash` `''`,
   * so no text is spelled; a hash kept in the row's rest (not a digest's
   * text) comes as text, without words.
   */
  readForVerification(slot: number): VerificationRecord {
    const { refs, hashes } = this.rows.chunk(slot);
    const rest = refs[(slot & IN_CHUNK) * REFS + REF.rest] as { readonly secretHash?: unknown } | null;
    if (rest !== null && rest.secretHash !== undefined) return this.build(slot, '');
    return this.build(slot, '', hashes);
  }

  /**
   * A new record of the row's columns with `secretHash`, then its rest over
   * them; with `words` (the row's chunk of the hash column) a
   * `VerificationRecord` whose hash is the row's words. Each form is made
   * whole in one literal, so all records of a form share one hidden class:
   * adding the two verification fields afterwards cost a shape transition
   * and a property array on every verification (issue 12, round 4).
   */
  private build(slot: number, secretHash: string, words?: Int32Array): VerificationRecord {
    const { refs, times, ints } = this.rows.chunk(slot);
    const at = slot & IN_CHUNK;
    const r = at * REFS;
    const t = at * TIMES;
    const i = at * INTS;
    // Tenant and owner from the row itself, not its namespace: one object fewer to reach (rows.ts).
    const tenant = refs[r + REF.tenant] as string;
    const owner = refs[r + REF.owner] as string | null;
    const type = TYPE_NAMES[ints[i + INT.type]!]!;
    const name = refs[r + REF.name] as string;
    const grants = refs[r + REF.grants] as readonly Grant[] | null;
    const pepperVersion = ints[i + INT.pepperVersion]!;
    const createdAt = times[t + TIME.createdAt]!;
    const expiresAt = timeOrNull(times[t + TIME.expiresAt]!);
    const revokedAt = timeOrNull(times[t + TIME.revokedAt]!);
    const lastUsedAt = timeOrNull(times[t + TIME.lastUsedAt]!);
    const createdBy = refs[r + REF.createdBy] as string;
    const version = ints[i + INT.version]!;
    const id = refs[r + REF.id] as string;
    // biome-ignore format: one form per line keeps the two side by side
    const record: VerificationRecord =
      words === undefined
        ? { id, tenant, type, owner, name, comment: '', grants, secretHash, pepperVersion, previousSecretHash: null, previousPepperVersion: null, previousExpiresAt: null, createdAt, expiresAt, revokedAt, rotatedAt: null, lastUsedAt, createdBy, version, meter: null, meta: null, enabled: true, lookupHash: null }
        : { id, tenant, type, owner, name, comment: '', grants, secretHash, pepperVersion, previousSecretHash: null, previousPepperVersion: null, previousExpiresAt: null, createdAt, expiresAt, revokedAt, rotatedAt: null, lastUsedAt, createdBy, version, meter: null, meta: null, enabled: true, lookupHash: null, secretWords: words, secretWordsAt: at * HASH_WORDS };
    const rest = refs[r + REF.rest];
    return rest === null ? record : Object.assign(record, rest);
  }

  /**
   * Everything a row needs from `record`, copied and frozen: the step that
   * can throw (a value that cannot be copied), done before the call's first
   * write.
   */
  prepare(record: TokenRecord): PreparedRow {
    return {
      record,
      id: typeof record.id === 'string' ? flatCopy(record.id) : null,
      tenant: flatCopy(record.tenant),
      owner: typeof record.owner === 'string' ? flatCopy(record.owner) : null,
      name: typeof record.name === 'string' ? flatCopy(record.name) : null,
      grants: this.sharedGrants(record.grants),
      rest: restOf(record),
    };
  }

  /** Stores a new prepared record in a new row and indexes it; the caller has checked its id is free. */
  insert(row: PreparedRow): number {
    const namespace = this.namespaces.obtain(row.tenant, row.owner);
    const slot = this.rows.allocate();
    this.rows.setInt(slot, INT.namespace, namespace.number);
    this.rows.setRef(slot, REF.id, row.id);
    this.rows.setRef(slot, REF.tenant, namespace.tenant);
    this.rows.setRef(slot, REF.owner, namespace.owner);
    this.ids.add(row.record.id, slot);
    this.write(slot, row, namespace);
    this.namespaces.add(namespace, slot);
    return slot;
  }

  /** The namespace of a row. */
  namespaceOf(slot: number): Namespace {
    return this.namespaces.byNumber(this.rows.int(slot, INT.namespace));
  }

  /**
   * Writes every field of a prepared record but its id, tenant and owner
   * (which never change) into the row `slot` of `namespace`. Index upkeep
   * for a changed name or a revocation is the caller's.
   */
  write(slot: number, row: PreparedRow, namespace: Namespace): void {
    const { rows } = this;
    const { record } = row;
    const { hashes } = rows.chunk(slot);
    const at = (slot & IN_CHUNK) * HASH_WORDS;
    // A hash that is not a digest's text is kept in the rest (restOf); its words stay zero.
    if (!digestTextToWords(record.secretHash, hashes, at)) hashes.fill(0, at, at + HASH_WORDS);
    rows.setRef(slot, REF.name, row.name);
    rows.setRef(slot, REF.grants, row.grants);
    rows.setRef(slot, REF.createdBy, sharedCreatedBy(namespace, record.createdBy));
    rows.setRef(slot, REF.rest, row.rest);
    rows.setInt(slot, INT.type, Math.max(0, TYPE_NAMES.indexOf(record.type)));
    rows.setInt(slot, INT.pepperVersion, fitsInt(record.pepperVersion) ? record.pepperVersion : 0);
    rows.setInt(slot, INT.version, fitsInt(record.version) ? record.version : 0);
    rows.setTime(slot, TIME.createdAt, typeof record.createdAt === 'number' ? record.createdAt : Number.NaN);
    rows.setTime(slot, TIME.expiresAt, fitsTime(record.expiresAt) ? record.expiresAt : null);
    rows.setTime(slot, TIME.revokedAt, fitsTime(record.revokedAt) ? record.revokedAt : null);
    rows.setTime(slot, TIME.lastUsedAt, fitsTime(record.lastUsedAt) ? record.lastUsedAt : null);
  }

  /** Forgets a row's id and frees the row; the caller has removed it from the other indexes. */
  remove(slot: number): void {
    this.ids.remove(this.idOf(slot), slot);
    this.rows.release(slot);
  }

  /** A frozen copy of a list of grants, shared with every token that carries an equal list. */
  private sharedGrants(grants: readonly Grant[] | null): readonly Grant[] | null {
    if (!Array.isArray(grants)) return null;
    const key = plainJsonKey(grants);
    const frozen = (): readonly Grant[] => frozenGrants(grants)!;
    return key === null ? frozen() : this.grantLists.get(key, frozen);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `createdBy` as stored: the namespace's latest text when equal (one string for a user's tokens). */
function sharedCreatedBy(namespace: Namespace, createdBy: unknown): string | null {
  if (typeof createdBy !== 'string') return null;
  if (createdBy !== namespace.createdBy) namespace.createdBy = flatCopy(createdBy);
  return namespace.createdBy;
}
