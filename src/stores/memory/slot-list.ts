/**
 * @internal Rows in listing order: the slots of a tenant (or of a large
 * namespace) sorted by `(createdAt, id)` ascending, so that a page newest
 * first is a walk down from the end (or from just below a cursor, found by
 * binary search) that stops once the page is full: its cost does not grow
 * with the number of tokens (issue 12). Tokens nearly always arrive in
 * this order, so adding one is an append; one that does not moves the
 * later entries up by one.
 */

/** How a list orders slots: by `(createdAt, id)` ascending. */
export interface SortKeys {
  /** Negative when row `a` sorts before row `b`. */
  compare(a: number, b: number): number;
  /** Negative when the row sorts before the key `(time, id)`. */
  compareTo(slot: number, time: number, id: string): number;
}

/** Negative when `(timeA, idA)` sorts before `(timeB, idB)` in ascending order. */
export function compareKeys(timeA: number, idA: string, timeB: number, idB: string): number {
  if (timeA !== timeB) return timeA < timeB ? -1 : 1;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

/** A growable sorted list of slots. */
export class SlotList {
  private slots = new Int32Array(8);
  length = 0;

  constructor(private readonly keys: SortKeys) {}

  /** A list of `slots` in any order, sorted once. */
  static of(keys: SortKeys, slots: readonly number[]): SlotList {
    const list = new SlotList(keys);
    const sorted = [...slots].sort((a, b) => keys.compare(a, b));
    list.slots = new Int32Array(Math.max(8, sorted.length));
    list.slots.set(sorted);
    list.length = sorted.length;
    return list;
  }

  get(index: number): number {
    return this.slots[index]!;
  }

  add(slot: number): void {
    if (this.length === this.slots.length) {
      const grown = new Int32Array(Math.ceil(this.slots.length * 1.5));
      grown.set(this.slots);
      this.slots = grown;
    }
    const at = this.positionOf(slot);
    this.slots.copyWithin(at + 1, at, this.length);
    this.slots[at] = slot;
    this.length++;
  }

  /** The position of the first slot whose key is not below `(time, id)`: slots before it sort lower. */
  lowerBound(time: number, id: string): number {
    const { keys, slots } = this;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (keys.compareTo(slots[middle]!, time, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Where a new row goes: after every row that does not sort after it. */
  private positionOf(slot: number): number {
    const { keys, slots } = this;
    // Appends are the rule: check the end before searching.
    if (this.length === 0 || keys.compare(slots[this.length - 1]!, slot) <= 0) return this.length;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (keys.compare(slots[middle]!, slot) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Drops every slot in `doomed`, in one pass. */
  removeAll(doomed: ReadonlySet<number>): void {
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = this.slots[i]!;
      if (!doomed.has(slot)) this.slots[kept++] = slot;
    }
    this.length = kept;
    if (this.slots.length > 64 && kept < this.slots.length / 4) this.slots = this.slots.slice(0, kept * 2);
  }
}
