/**
 * @internal The memory repository's events.
 *
 * Nearly every token has exactly one event, the automatic 'issued' one, so
 * a token's first event lives in the token's own row (issue 12): its id as
 * four words, its time as a double, its actor (the same text as the
 * token's `createdBy`, shared), and its type, operation and detail as one
 * frozen object shared by every event that has the same (the detail of an
 * 'issued' event is its type and ttl). About 40 bytes, where a frozen event
 * object with its own id, detail and list cost about 400.
 *
 * Every other event — a second one, one whose id is not a canonical ULID,
 * one of a token not stored here — is kept as a frozen object in a list per
 * token id, in (at, id) order. A token that is purged hands its first event
 * to that list, so events outlive their token until pruned, as before.
 */
import type { TokenEvent, TokenEventType } from '../../core/types.js';
import { frozenEvent } from '../shared/freeze.js';
import { compareNewestFirst, eventKey } from '../shared/paging.js';
import { IN_CHUNK, INT, INTS, NO_EVENT, REF, type Rows, TIME } from './rows.js';
import { flatCopy, plainJsonKey, SharedPool } from './sharing.js';
import type { TokenTable } from './table.js';
import { ulidToWords, wordsToUlid } from './ulid-words.js';

/** What an event shares with others: everything but its id, token, tenant and time. */
interface EventShape {
  readonly type: TokenEventType;
  readonly operation: string;
  readonly detail: TokenEvent['detail'];
  /** Null when the actor is the token's `createdBy` (nearly always). */
  readonly actor: string | null;
}

/** The members of a `TokenEvent`: an event with any other is kept whole, in a list. */
const EVENT_MEMBERS = 8;

/** Reused to decode an event id before it is known to fit a row. */
const scratch = new Int32Array(4);

export class EventStore {
  /** Events not held in a row, per token id, in ascending (at, id) order. */
  private readonly others = new Map<string, TokenEvent[]>();
  private readonly shapes = new SharedPool<EventShape>(4096);

  constructor(private readonly table: TokenTable) {}

  /**
   * Stores a prepared (frozen) event. Everything that can throw happens in
   * `prepared`, before the call's first write.
   */
  write(event: TokenEvent | undefined): void {
    if (event === undefined) return;
    const slot = this.table.slotOf(event.tokenId);
    if (slot === undefined || !this.intoRow(slot, event)) this.addOther(event);
  }

  /**
   * A frozen copy of an event, ready to write; throws (on a detail that
   * cannot be copied) before anything is written.
   */
  prepared(event: TokenEvent | undefined): TokenEvent | undefined {
    return event === undefined ? undefined : frozenEvent(event);
  }

  /** A token's events, newest first: `(at, id)` descending. */
  of(tokenId: string): TokenEvent[] {
    const list = this.others.get(tokenId) ?? [];
    const slot = this.table.slotOf(tokenId);
    const first = slot === undefined ? null : this.fromRow(slot);
    const out: TokenEvent[] = [];
    let placed = first === null;
    for (let i = list.length - 1; i >= 0; i--) {
      const event = list[i]!;
      if (!placed && compareNewestFirst(eventKey(first!), eventKey(event)) < 0) {
        out.push(first!);
        placed = true;
      }
      out.push(event);
    }
    if (!placed) out.push(first!);
    return out;
  }

  /** Deletes events older than `before`; returns how many. */
  prune(before: number): number {
    let count = 0;
    const { rows } = this.table;
    for (let slot = 0; slot < rows.extent; slot++) {
      if (eventAt(rows, slot) < before) {
        clearRow(rows, slot);
        count++;
      }
    }
    for (const [tokenId, list] of this.others) {
      const kept = list.filter((event) => event.at >= before);
      count += list.length - kept.length;
      if (kept.length === 0) this.others.delete(tokenId);
      else if (kept.length !== list.length) this.others.set(tokenId, kept);
    }
    return count;
  }

  /** Moves the event held in a row out of it, before the row is freed. */
  evict(slot: number): void {
    const event = this.fromRow(slot);
    if (event === null) return;
    clearRow(this.table.rows, slot);
    this.addOther(event);
  }

  /** Keeps `event` in its token's row when the row has none yet and the event fits; true if it did. */
  private intoRow(slot: number, event: TokenEvent): boolean {
    const { rows } = this.table;
    if (rows.int(slot, INT.eventAt) !== NO_EVENT || typeof event.at !== 'number') return false;
    // Kept as its distance from the token's creation, which must fit the 32-bit column.
    const delta = event.at - rows.time(slot, TIME.createdAt);
    if ((delta | 0) !== delta || delta === NO_EVENT || Object.is(delta, -0)) return false;
    const namespace = this.table.namespaceOf(slot);
    if (
      event.tenant !== namespace.tenant ||
      typeof event.actor !== 'string' ||
      Object.keys(event).length !== EVENT_MEMBERS ||
      !ulidToWords(event.id, scratch, 0)
    ) {
      return false;
    }
    for (let i = 0; i < 4; i++) rows.setInt(slot, INT.eventId + i, scratch[i]!);
    rows.setInt(slot, INT.eventAt, delta);
    // The actor is nearly always the token's creator: then the shape says so and is shared.
    const actor = event.actor === rows.ref(slot, REF.createdBy) ? null : flatCopy(event.actor);
    rows.setRef(slot, REF.eventShape, this.shapeOf(event, actor));
    return true;
  }

  /** The shared shape of a frozen event. */
  private shapeOf(event: TokenEvent, actor: string | null): EventShape {
    const key = plainJsonKey([event.type, event.operation, event.detail, actor]);
    const make = (): EventShape =>
      Object.freeze({ type: event.type, operation: event.operation, detail: event.detail, actor });
    return key === null ? make() : this.shapes.get(key, make);
  }

  /** The event held in a row, as a frozen object, or null. */
  private fromRow(slot: number): TokenEvent | null {
    const { rows } = this.table;
    const at = eventAt(rows, slot);
    if (Number.isNaN(at)) return null;
    const shape = rows.ref(slot, REF.eventShape) as EventShape;
    return Object.freeze({
      id: wordsToUlid(rows.chunk(slot).ints, (slot & IN_CHUNK) * INTS + INT.eventId),
      tokenId: this.table.idOf(slot),
      tenant: this.table.namespaceOf(slot).tenant,
      type: shape.type,
      actor: shape.actor ?? (rows.ref(slot, REF.createdBy) as string),
      operation: shape.operation,
      detail: shape.detail,
      at,
    });
  }

  /** Adds an event to its token's list, in (at, id) order. */
  private addOther(event: TokenEvent): void {
    const list = this.others.get(event.tokenId);
    if (list === undefined) {
      this.others.set(event.tokenId, [event]);
      return;
    }
    // Events nearly always arrive in time order, so search from the end.
    let at = list.length;
    while (at > 0 && compareNewestFirst(eventKey(list[at - 1]!), eventKey(event)) < 0) at--;
    list.splice(at, 0, event);
  }
}

/** The time of the event a row holds, or NaN. */
function eventAt(rows: Rows, slot: number): number {
  const delta = rows.int(slot, INT.eventAt);
  return delta === NO_EVENT ? Number.NaN : rows.time(slot, TIME.createdAt) + delta;
}

function clearRow(rows: Rows, slot: number): void {
  rows.setInt(slot, INT.eventAt, NO_EVENT);
  rows.setRef(slot, REF.eventShape, null);
  for (let i = 0; i < 4; i++) rows.setInt(slot, INT.eventId + i, 0);
}
