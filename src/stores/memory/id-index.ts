/**
 * @internal Token id → row. A token id is a ULID in canonical form, 128
 * bits: the row keeps those as four words, and this index is an
 * open-addressing table of row numbers (linear probing, at most 70 % full)
 * hashed on them — about 12–24 bytes a token, where a `Map` from the id
 * text costs about 80 (its entry and the 26-character string; issue 12).
 *
 * Each position holds the row number and, next to it, a tag: the id's last
 * word (80 random bits end a ULID). A probe compares the tag first and
 * reads the row only when it matches, so the positions a lookup passes
 * over on its way cost no visit to their rows — at a million tokens each
 * such visit is a cache miss. A match of the tag is confirmed against
 * the row's four words.
 * Any other id text (the contract does not require ULIDs) goes into a
 * `Map` of its own, and its row keeps the text (`table.ts`).
 */
import { INT, type Rows } from './rows.js';
import { ulidToWords } from './ulid-words.js';

const EMPTY = 0;
const MAX_LOAD = 0.7;

/** The words of the id being looked up. */
const wanted = new Int32Array(4);

/** A hash of the four words of an id (ULIDs end in 80 random bits; the mix spreads the rest). */
function hashWords(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ d ^ (h >>> 15)) >>> 0;
}

/** Int32 values per position: the row number + 1, then the tag. */
const STRIDE = 2;

export class IdIndex {
  /** Row number + 1 and the tag at each position (`STRIDE` values); 0 is empty. */
  private table = new Int32Array(1024 * STRIDE);
  /** Positions − 1 (a power of two, less one). */
  private mask = 1023;
  private count = 0;
  private readonly texts = new Map<string, number>();

  constructor(private readonly rows: Rows) {}

  /** The row of `id`, or undefined. */
  find(id: string): number | undefined {
    if (!ulidToWords(id, wanted, 0)) return this.texts.get(id);
    const { table, mask } = this;
    const tag = wanted[3]!;
    for (let at = this.home(wanted[0]!, wanted[1]!, wanted[2]!, tag, mask); ; at = (at + 1) & mask) {
      const entry = table[at * STRIDE]!;
      if (entry === EMPTY) return undefined;
      if (table[at * STRIDE + 1] === tag && this.sameId(entry - 1)) return entry - 1;
    }
  }

  /**
   * Indexes a new row under `id`: writes the id's words into the row and
   * returns true, or keeps the text in the map and returns false (the row
   * must then keep the text itself). The id must not be indexed yet.
   */
  add(id: string, slot: number): boolean {
    if (!ulidToWords(id, wanted, 0)) {
      // Not a ULID: the words are not written, and the row keeps the text.
      this.texts.set(id, slot);
      return false;
    }
    for (let i = 0; i < 4; i++) this.rows.setInt(slot, INT.id + i, wanted[i]!);
    if ((this.count + 1) / (this.mask + 1) > MAX_LOAD) this.grow();
    this.place(slot);
    this.count++;
    return true;
  }

  /** Forgets the row of `id` (which is indexed). */
  remove(id: string, slot: number): void {
    if (this.texts.delete(id)) return;
    const { table, mask } = this;
    let at = this.homeOf(slot, mask);
    while (table[at * STRIDE] !== slot + 1) at = (at + 1) & mask;
    // Backward shift: move later entries of the run up, so no lookup stops early at the gap.
    for (let next = (at + 1) & mask; table[next * STRIDE] !== EMPTY; next = (next + 1) & mask) {
      const home = this.homeOf(table[next * STRIDE]! - 1, mask);
      const between = at <= next ? at < home && home <= next : at < home || home <= next;
      if (between) continue;
      table[at * STRIDE] = table[next * STRIDE]!;
      table[at * STRIDE + 1] = table[next * STRIDE + 1]!;
      at = next;
    }
    table[at * STRIDE] = EMPTY;
    table[at * STRIDE + 1] = 0;
    this.count--;
  }

  private sameId(slot: number): boolean {
    const { rows } = this;
    return (
      rows.int(slot, INT.id + 3) === wanted[3] &&
      rows.int(slot, INT.id + 2) === wanted[2] &&
      rows.int(slot, INT.id + 1) === wanted[1] &&
      rows.int(slot, INT.id) === wanted[0]
    );
  }

  private home(a: number, b: number, c: number, d: number, mask: number): number {
    return hashWords(a, b, c, d) & mask;
  }

  private homeOf(slot: number, mask: number): number {
    const { rows } = this;
    return this.home(
      rows.int(slot, INT.id),
      rows.int(slot, INT.id + 1),
      rows.int(slot, INT.id + 2),
      rows.int(slot, INT.id + 3),
      mask,
    );
  }

  private place(slot: number): void {
    const { table, mask } = this;
    let at = this.homeOf(slot, mask);
    while (table[at * STRIDE] !== EMPTY) at = (at + 1) & mask;
    table[at * STRIDE] = slot + 1;
    table[at * STRIDE + 1] = this.rows.int(slot, INT.id + 3);
  }

  private grow(): void {
    const old = this.table;
    this.mask = this.mask * 2 + 1;
    this.table = new Int32Array((this.mask + 1) * STRIDE);
    for (let at = 0; at < old.length; at += STRIDE) if (old[at] !== EMPTY) this.place(old[at]! - 1);
  }
}
