/**
 * @internal The memory repository's token indexes: the (tenant, owner)
 * namespaces, which serve name lookups, the per-owner cap, the one master
 * per user and revocation of an owner's tokens, and the tenants, which
 * keep their tokens in listing order (`SlotList`).
 *
 * A namespace chains its rows through their `chain` column, newest
 * inserted first, so that it costs four bytes a token; most hold a
 * handful, and walking them is the fastest answer. One that grows past
 * `LARGE_NAMESPACE` rows (a tenant's administrative tokens, a user without
 * a cap) also gets its rows by name and in listing order, so inserts, name
 * lookups and pages stay cheap however large it grows.
 *
 * Answers may include rows the caller must still check (a name list of a
 * small namespace is all of its rows): callers always judge the rows.
 */
import { INT, REF, type Rows, TIME } from './rows.js';
import { internalized } from './sharing.js';
import { SlotList, type SortKeys } from './slot-list.js';

/** Namespaces above this many rows get the name and order indexes. */
export const LARGE_NAMESPACE = 64;

/** The type code of master tokens in the `type` column (`table.ts`). */
export const MASTER_CODE = 2;

/** The rows of one large namespace by name, and in listing order. */
interface LargeIndex {
  /** A name's row, or its rows when several tokens carried it (a name is reused once its holder is dead). */
  readonly byName: Map<string, number | number[]>;
  readonly order: SlotList;
}

/** One (tenant, owner) namespace. */
export interface Namespace {
  readonly number: number;
  readonly key: string;
  readonly tenant: string;
  readonly owner: string | null;
  /** The newest inserted row; -1 when empty. The rest follow through the `chain` column. */
  head: number;
  size: number;
  /** Unrevoked rows that are not master tokens: below the cap, the cap check counts nothing. */
  unrevokedOthers: number;
  /** The latest master token's row, or -1: no other master can be live (`insertMaster`). */
  master: number;
  /** The `createdBy` text of the latest row, shared with every later row that has the same. */
  createdBy: string | null;
  large: LargeIndex | null;
}

/** A tenant: its tokens in listing order. */
export interface Tenant {
  readonly name: string;
  readonly order: SlotList;
  namespaces: number;
}

// A NUL separator cannot be confused with the characters of a tenant name;
// the marker after it tells "no owner" apart from an owner named "".
function namespaceKey(tenant: string, owner: string | null): string {
  return owner === null ? `${tenant}\u0000\u0000` : `${tenant}\u0000\u0001${owner}`;
}

export class Namespaces {
  private readonly byKey = new Map<string, Namespace>();
  private readonly numbered: (Namespace | null)[] = [];
  private readonly freeNumbers: number[] = [];
  private readonly tenants = new Map<string, Tenant>();

  constructor(
    private readonly rows: Rows,
    private readonly keys: SortKeys,
  ) {}

  find(tenant: string, owner: string | null): Namespace | undefined {
    return this.byKey.get(namespaceKey(tenant, owner));
  }

  /** The namespace of a row, by the number in its `namespace` column. */
  byNumber(number: number): Namespace {
    return this.numbered[number]!;
  }

  tenant(name: string): Tenant | undefined {
    return this.tenants.get(name);
  }

  /** The namespace of `(tenant, owner)`, made if new; `tenant` and `owner` are kept internalized (`sharing.ts`). */
  obtain(tenant: string, owner: string | null): Namespace {
    const key = namespaceKey(tenant, owner);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const number = this.freeNumbers.pop() ?? this.numbered.length;
    const made: Namespace = {
      number,
      key,
      tenant: internalized(tenant),
      owner: owner === null ? null : internalized(owner),
      head: -1,
      size: 0,
      unrevokedOthers: 0,
      master: -1,
      createdBy: null,
      large: null,
    };
    this.byKey.set(key, made);
    this.numbered[number] = made;
    let home = this.tenants.get(tenant);
    if (home === undefined) {
      home = { name: tenant, order: new SlotList(this.keys), namespaces: 0 };
      this.tenants.set(tenant, home);
    }
    home.namespaces++;
    return made;
  }

  /** Every row of a namespace, newest inserted first. */
  *rowsOf(namespace: Namespace): Iterable<number> {
    for (let slot = namespace.head; slot !== -1; slot = this.rows.int(slot, INT.chain)) yield slot;
  }

  /** Rows that may carry `name` (a superset: callers check). */
  named(namespace: Namespace, name: string): Iterable<number> {
    if (namespace.large === null) return this.rowsOf(namespace);
    const rows = namespace.large.byName.get(name);
    return rows === undefined ? [] : typeof rows === 'number' ? [rows] : rows;
  }

  /** Indexes a new row of `namespace`, whose columns are written. */
  add(namespace: Namespace, slot: number): void {
    const { rows } = this;
    rows.setInt(slot, INT.chain, namespace.head);
    namespace.head = slot;
    namespace.size++;
    if (rows.int(slot, INT.type) === MASTER_CODE) {
      if (namespace.master === -1 || this.keyAbove(slot, namespace.master)) namespace.master = slot;
    } else if (Number.isNaN(rows.time(slot, TIME.revokedAt))) {
      namespace.unrevokedOthers++;
    }
    this.tenants.get(namespace.tenant)!.order.add(slot);
    if (namespace.large !== null) {
      addName(namespace.large.byName, rows.ref(slot, REF.name) as string, slot);
      namespace.large.order.add(slot);
    } else if (namespace.size > LARGE_NAMESPACE) {
      namespace.large = this.index(namespace);
    }
  }

  /** Tells the index a row has just been revoked (it was not before). */
  revoked(namespace: Namespace, slot: number): void {
    if (this.rows.int(slot, INT.type) !== MASTER_CODE) namespace.unrevokedOthers--;
  }

  /** Tells the index a row's name changed. */
  renamed(namespace: Namespace, slot: number, before: string, after: string): void {
    if (namespace.large === null || before === after) return;
    removeName(namespace.large.byName, before, slot);
    addName(namespace.large.byName, after, slot);
  }

  /** Forgets rows about to be deleted, in one pass per namespace and tenant. */
  removeAll(slots: readonly number[]): void {
    const doomed = new Set(slots);
    const touched = new Set<Namespace>();
    for (const slot of slots) touched.add(this.byNumber(this.rows.int(slot, INT.namespace)));
    const tenants = new Set<Tenant>();
    for (const namespace of touched) {
      this.removeFrom(namespace, doomed);
      tenants.add(this.tenants.get(namespace.tenant)!);
    }
    for (const tenant of tenants) tenant.order.removeAll(doomed);
    for (const namespace of touched) if (namespace.size === 0) this.drop(namespace);
  }

  /** Rebuilds one namespace's chain, counts and indexes without the doomed rows. */
  private removeFrom(namespace: Namespace, doomed: ReadonlySet<number>): void {
    const { rows } = this;
    const kept = [...this.rowsOf(namespace)].filter((slot) => !doomed.has(slot));
    let head = -1;
    for (let i = kept.length - 1; i >= 0; i--) {
      rows.setInt(kept[i]!, INT.chain, head);
      head = kept[i]!;
    }
    namespace.head = head;
    namespace.size = kept.length;
    namespace.unrevokedOthers = 0;
    namespace.master = -1;
    for (const slot of kept) {
      if (rows.int(slot, INT.type) === MASTER_CODE) {
        if (namespace.master === -1 || this.keyAbove(slot, namespace.master)) namespace.master = slot;
      } else if (Number.isNaN(rows.time(slot, TIME.revokedAt))) {
        namespace.unrevokedOthers++;
      }
    }
    // Shrunk well below the threshold: back to the plain form.
    namespace.large = kept.length > LARGE_NAMESPACE / 2 ? this.index(namespace) : null;
  }

  private drop(namespace: Namespace): void {
    this.byKey.delete(namespace.key);
    this.numbered[namespace.number] = null;
    this.freeNumbers.push(namespace.number);
    const tenant = this.tenants.get(namespace.tenant)!;
    if (--tenant.namespaces === 0) this.tenants.delete(tenant.name);
  }

  /** Whether row `a` sorts after row `b` in listing order. */
  private keyAbove(a: number, b: number): boolean {
    return this.keys.compare(a, b) > 0;
  }

  /** The name and order indexes of a namespace that grew large. */
  private index(namespace: Namespace): LargeIndex {
    const byName = new Map<string, number | number[]>();
    const slots = [...this.rowsOf(namespace)];
    for (const slot of slots) addName(byName, this.rows.ref(slot, REF.name) as string, slot);
    return { byName, order: SlotList.of(this.keys, slots) };
  }
}

function addName(byName: Map<string, number | number[]>, name: string, slot: number): void {
  const same = byName.get(name);
  if (same === undefined) byName.set(name, slot);
  else if (typeof same === 'number') byName.set(name, [same, slot]);
  else same.push(slot);
}

function removeName(byName: Map<string, number | number[]>, name: string, slot: number): void {
  const same = byName.get(name);
  if (same === slot) {
    byName.delete(name);
  } else if (Array.isArray(same)) {
    const kept = same.filter((other) => other !== slot);
    if (kept.length === 0) byName.delete(name);
    else byName.set(name, kept.length === 1 ? kept[0]! : kept);
  }
}
