/**
 * @internal What the verification cache keeps in memory: found and
 * not-found lookups with their deadlines, least recently used first, and the
 * lookups in flight, so that a read that began before a change is never kept.
 */
import { creditsAt } from '../../core/metering.js';
import type { TokenRecord } from '../../core/types.js';
import { frozenGrants, frozenRecord } from '../shared/freeze.js';

interface Entry {
  readonly record: TokenRecord | null;
  readonly until: number;
}

interface Flight {
  readonly promise: Promise<TokenRecord | null>;
  stale: boolean;
}

/** The record itself when already frozen (as the stores hand them out), else a frozen copy. */
function frozen(record: TokenRecord): TokenRecord {
  return Object.isFrozen(record) ? record : frozenRecord(record, frozenGrants(record.grants));
}

/** The lookups a cache holds. */
export class LookupMemory {
  // Map iteration order is insertion order: re-inserting on a hit keeps the
  // least recently used entry first, where eviction takes it.
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `id` (a hit), or undefined. */
  hit(id: string): { readonly record: TokenRecord | null } | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    if (entry.until <= performance.now()) return undefined;
    this.entries.set(id, entry);
    return entry;
  }

  /**
   * The lookup of `id` already in flight, or a new one from `read`, whose
   * result is kept if no change to `id` was heard meanwhile and `keep()` still
   * says so when it arrives.
   */
  fetch(id: string, read: () => Promise<TokenRecord | null>, keep: () => boolean): Promise<TokenRecord | null> {
    const running = this.flights.get(id);
    if (running !== undefined) return running.promise;
    const flight: Flight = {
      stale: false,
      promise: read().then(
        (found) => {
          const record = found === null ? null : frozen(found);
          if (this.flights.get(id) === flight) this.flights.delete(id);
          if (!flight.stale && keep()) this.store(id, record);
          return record;
        },
        (error: unknown) => {
          if (this.flights.get(id) === flight) this.flights.delete(id);
          throw error;
        },
      ),
    };
    this.flights.set(id, flight);
    return flight.promise;
  }

  /** Forgets `id`, and makes sure a read of it already in flight is not kept. */
  invalidate(id: string): void {
    this.entries.delete(id);
    const flight = this.flights.get(id);
    if (flight !== undefined) {
      // A read that began before the change may return the old row: it must not be stored.
      flight.stale = true;
      this.flights.delete(id);
    }
  }

  /** Forgets every entry matching `match`, and every read in flight. */
  invalidateWhere(match: (record: TokenRecord | null) => boolean): void {
    for (const [id, entry] of this.entries) if (match(entry.record)) this.entries.delete(id);
    for (const flight of this.flights.values()) flight.stale = true;
    this.flights.clear();
  }

  clear(): void {
    this.invalidateWhere(() => true);
  }

  /** Records a use in the kept copy of `id`, if any, keeping its deadline. */
  touched(id: string, at: number): void {
    const entry = this.entries.get(id);
    const record = entry?.record;
    if (entry !== undefined && record && (record.lastUsedAt === null || record.lastUsedAt < at)) {
      this.entries.set(id, { record: Object.freeze({ ...record, lastUsedAt: at }), until: entry.until });
    }
  }

  /** Sets the credits of the kept copy of `id`, if any, after a spend at `at` left `remaining`. */
  spent(id: string, remaining: number | null, at: number): void {
    const entry = this.entries.get(id);
    const meter = entry?.record?.meter;
    if (entry === undefined || meter == null || meter.remaining === remaining) return;
    const record = entry.record!;
    const next = { ...meter, remaining, lastRefillAt: creditsAt(meter, at).lastRefillAt };
    this.entries.set(id, { record: Object.freeze({ ...record, meter: Object.freeze(next) }), until: entry.until });
  }

  /** Forgets the kept copies of tokens that expired before `before` (they were just purged). */
  purged(before: number): void {
    for (const [id, entry] of this.entries) {
      const expiresAt = entry.record?.expiresAt;
      if (expiresAt != null && expiresAt < before) this.entries.delete(id);
    }
  }

  private store(id: string, record: TokenRecord | null): void {
    this.entries.delete(id);
    const ttl = record === null ? this.negativeTtlMs : this.ttlMs;
    this.entries.set(id, { record, until: performance.now() + ttl });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
