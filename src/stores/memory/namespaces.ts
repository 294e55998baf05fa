/**
 * @internal The memory repository's secondary index: the token ids of each
 * (tenant, owner) namespace, which serves name lookups, the per-owner cap,
 * revocation of an owner's tokens and listing.
 *
 * Most namespaces hold a handful of tokens, so a plain array of ids (which
 * shares the id strings with the records) is both the smallest and the
 * fastest structure for them. A namespace that grows past
 * `LARGE_NAMESPACE` ids (a tenant with many administrative tokens, a user
 * without a cap) also gets ids by name and the set of unrevoked ids, so
 * inserts and name lookups stay cheap however large it grows.
 *
 * Answers may include ids the caller must still check (a name list or the
 * unrevoked set never misses a token, but the small form returns every id):
 * callers always judge the records themselves.
 */
import type { TokenRecord } from '../../core/types.js';

/** Namespaces above this many ids get the name and unrevoked indexes. */
export const LARGE_NAMESPACE = 64;

interface LargeNamespace {
  readonly byName: Map<string, string[]>;
  readonly unrevoked: Set<string>;
}

/** The namespace index of one memory repository. */
export interface NamespaceIndex {
  /** Every id of the namespace. */
  ids(tenant: string, owner: string | null): readonly string[];
  /** Ids that may carry `name` (a superset: callers check). */
  named(tenant: string, owner: string | null, name: string): readonly string[];
  /** Ids that may be unrevoked (a superset: callers check). */
  maybeUnrevoked(tenant: string, owner: string | null): Iterable<string>;
  /** The namespaces of a tenant, as lists of ids. */
  tenantIds(tenant: string): Iterable<readonly string[]>;
  add(record: TokenRecord): void;
  /** Tells the index a stored token is now revoked. */
  revoked(record: TokenRecord): void;
  /** Tells the index a stored token (`record`, as it is now) was called `previousName` before. */
  renamed(record: TokenRecord, previousName: string): void;
  /** Forgets deleted tokens, in one pass per namespace. */
  removeAll(records: readonly TokenRecord[]): void;
}

// A NUL separator cannot be confused with the characters of a tenant name;
// the marker after it tells "no owner" apart from an owner named "".
function namespaceKey(tenant: string, owner: string | null): string {
  return owner === null ? `${tenant}\u0000\u0000` : `${tenant}\u0000\u0001${owner}`;
}

const NONE: readonly string[] = Object.freeze([]);

/** Creates an empty index. `lookup` resolves ids to the stored records. */
export function namespaceIndex(lookup: (id: string) => TokenRecord): NamespaceIndex {
  return new Namespaces(lookup);
}

/** Appends `id` to the ids of `name` in `byName`. */
function addName(byName: Map<string, string[]>, name: string, id: string): void {
  const same = byName.get(name);
  if (same === undefined) byName.set(name, [id]);
  else same.push(id);
}

class Namespaces implements NamespaceIndex {
  private readonly namespaces = new Map<string, string[]>();
  private readonly tenants = new Map<string, Set<string>>();
  private readonly large = new Map<string, LargeNamespace>();

  constructor(private readonly lookup: (id: string) => TokenRecord) {}

  ids(tenant: string, owner: string | null): readonly string[] {
    return this.namespaces.get(namespaceKey(tenant, owner)) ?? NONE;
  }

  named(tenant: string, owner: string | null, name: string): readonly string[] {
    const key = namespaceKey(tenant, owner);
    const big = this.large.get(key);
    if (big !== undefined) return big.byName.get(name) ?? NONE;
    return this.namespaces.get(key) ?? NONE;
  }

  maybeUnrevoked(tenant: string, owner: string | null): Iterable<string> {
    const key = namespaceKey(tenant, owner);
    return this.large.get(key)?.unrevoked ?? this.namespaces.get(key) ?? NONE;
  }

  *tenantIds(tenant: string): Iterable<readonly string[]> {
    for (const key of this.tenants.get(tenant) ?? []) {
      const ids = this.namespaces.get(key);
      if (ids !== undefined) yield ids;
    }
  }

  add(record: TokenRecord): void {
    const key = namespaceKey(record.tenant, record.owner);
    const ids = this.namespaces.get(key);
    if (ids === undefined) {
      this.namespaces.set(key, [record.id]);
      const keys = this.tenants.get(record.tenant);
      if (keys === undefined) this.tenants.set(record.tenant, new Set([key]));
      else keys.add(key);
      return;
    }
    ids.push(record.id);
    const big = this.large.get(key);
    if (big === undefined) {
      if (ids.length > LARGE_NAMESPACE) this.large.set(key, this.index(ids));
      return;
    }
    addName(big.byName, record.name, record.id);
    if (record.revokedAt === null) big.unrevoked.add(record.id);
  }

  revoked(record: TokenRecord): void {
    this.large.get(namespaceKey(record.tenant, record.owner))?.unrevoked.delete(record.id);
  }

  renamed(record: TokenRecord, previousName: string): void {
    const big = this.large.get(namespaceKey(record.tenant, record.owner));
    if (big === undefined) return;
    const same = big.byName.get(previousName)?.filter((id) => id !== record.id);
    if (same === undefined || same.length === 0) big.byName.delete(previousName);
    else big.byName.set(previousName, same);
    addName(big.byName, record.name, record.id);
  }

  removeAll(records: readonly TokenRecord[]): void {
    const byKey = new Map<string, TokenRecord[]>();
    for (const record of records) {
      const key = namespaceKey(record.tenant, record.owner);
      const group = byKey.get(key);
      if (group === undefined) byKey.set(key, [record]);
      else group.push(record);
    }
    for (const [key, group] of byKey) this.removeGroup(key, group);
  }

  /** Forgets the deleted tokens `group` of the namespace `key`. */
  private removeGroup(key: string, group: readonly TokenRecord[]): void {
    const ids = this.namespaces.get(key);
    if (ids === undefined) return;
    const doomed = new Set(group.map((record) => record.id));
    const kept = ids.filter((id) => !doomed.has(id));
    const big = this.large.get(key);
    if (big !== undefined) {
      for (const record of group) {
        big.unrevoked.delete(record.id);
        const same = big.byName.get(record.name)?.filter((id) => id !== record.id);
        if (same === undefined || same.length === 0) big.byName.delete(record.name);
        else big.byName.set(record.name, same);
      }
      // Shrunk well below the threshold: back to the plain form.
      if (kept.length <= LARGE_NAMESPACE / 2) this.large.delete(key);
    }
    if (kept.length > 0) {
      this.namespaces.set(key, kept);
      return;
    }
    this.namespaces.delete(key);
    const tenant = group[0]!.tenant;
    const keys = this.tenants.get(tenant);
    keys?.delete(key);
    if (keys?.size === 0) this.tenants.delete(tenant);
  }

  /** The name and unrevoked indexes of a namespace that just grew large. */
  private index(ids: readonly string[]): LargeNamespace {
    const byName = new Map<string, string[]>();
    const unrevoked = new Set<string>();
    for (const id of ids) {
      const record = this.lookup(id);
      addName(byName, record.name, id);
      if (record.revokedAt === null) unrevoked.add(id);
    }
    return { byName, unrevoked };
  }
}
