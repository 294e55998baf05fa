/** What happens around the service: the clock moves, the app changes its directory, records uses and prunes history. */
import { expect } from 'vitest';
import type { Grant } from '../../../src/core/types.js';
import { actingTokens, type Command, codes, type Real, sweep } from './checks.js';
import { EVENT_RETENTION, logEvent, type Model, type ModelToken, PURGE_AFTER } from './model.js';
import { expectOutcome, settle } from './outcome.js';

export class AdvanceCommand implements Command {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.clock.advance(this.ms);
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `advance(${this.ms} ms ≈ ${(this.ms / 86_400_000).toFixed(2)} d)`;
  }
}

/**
 * Moves the clock exactly onto the next deadline the model knows (a token's
 * expiry, the end of a grace period, a claim code's expiry), where "live"
 * must already have turned into "dead", and checks every secret there.
 */
export class AdvanceToDeadlineCommand implements Command {
  constructor(readonly pick: number) {}
  private deadlines(m: Readonly<Model>): number[] {
    const all = [
      ...m.tokens.flatMap((token) => [token.expiresAt, token.grace?.until ?? null]),
      ...m.claims.map((claim) => claim.expiresAt),
    ];
    return [...new Set(all.filter((at): at is number => at !== null && at > m.now))].sort((a, b) => a - b);
  }
  check(m: Readonly<Model>): boolean {
    return this.deadlines(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const deadlines = this.deadlines(m);
    const at = deadlines[this.pick % deadlines.length]!;
    r.clock.advance(at - m.now);
    m.now = at;
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `advanceToDeadline(#${this.pick})`;
  }
}

export class PurgeCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const count = expectOutcome(await settle(r.service.purgeExpired()), codes(), this.toString());
    // Expired tokens are deleted once the grace window after their expiry has passed.
    const doomed = m.tokens.filter(
      (token) => !token.purged && token.expiresAt !== null && token.expiresAt < m.now - PURGE_AFTER,
    );
    expect(count, 'purged count').toBe(doomed.length);
    for (const token of doomed) token.purged = true;
  }
  toString(): string {
    return 'purgeExpired()';
  }
}

/** The analyst's privileges, and the smaller set they have while demoted. */
const ANALYST_GRANTS: readonly Grant[] = [{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }];
const DEMOTED_GRANTS: readonly Grant[] = [{ bucket: 'in.c-csv-import', access: 'read' }];

/**
 * Changes the directory behind the service's back, as an app does: the
 * analyst is demoted (loses `reports` and write access) or restored, or bob
 * is deactivated or reactivated. Tokens must follow at their next use.
 */
export class DirectoryCommand implements Command {
  constructor(readonly change: 'analyst-demoted' | 'bob-active') {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const acme = r.users.acme!;
    if (this.change === 'bob-active') {
      const bob = m.users.acme!.bob!;
      bob.active = !bob.active;
      acme.bob!.active = bob.active;
      await sweep(m, r, this.toString());
      return;
    }
    const analyst = m.users.acme!.analyst!;
    const full = analyst.grants.some((grant) => 'scope' in grant);
    analyst.grants = structuredClone([...(full ? DEMOTED_GRANTS : ANALYST_GRANTS)]);
    acme.analyst!.grants = structuredClone(analyst.grants);
    await sweep(m, r, this.toString());
  }
  toString(): string {
    return `directory(${this.change})`;
  }
}

/** `record(principal, operation)`: the app notes an operation done with a token that verifies now. */
export class RecordCommand implements Command {
  constructor(
    readonly pick: number,
    readonly operation: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return actingTokens(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const candidates = actingTokens(m);
    const token = candidates[this.pick % candidates.length]!;
    const principal = await r.service.verify(token.current);
    expectOutcome(await settle(r.service.record(principal, this.operation)), codes(), this.toString());
    logEvent(m, token, 'used', this.operation);
  }
  toString(): string {
    return `record(#${this.pick}, ${JSON.stringify(this.operation)})`;
  }
}

/** `pruneEvents()`: events older than six months go. */
export class PruneEventsCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const count = expectOutcome(await settle(r.service.pruneEvents()), codes(), this.toString());
    const cutoff = m.now - EVENT_RETENTION;
    const old = (token: ModelToken): number => token.events.filter((event) => event.at < cutoff).length;
    const known = m.tokens.filter((token) => !token.purged).reduce((sum, token) => sum + old(token), 0);
    // The history of a purged token may have gone with it, or may be pruned now: both are allowed.
    const maybe = m.tokens.filter((token) => token.purged).reduce((sum, token) => sum + old(token), 0);
    expect(count, `${this.toString()}: count`).toBeGreaterThanOrEqual(known);
    expect(count, `${this.toString()}: count`).toBeLessThanOrEqual(known + maybe);
    for (const token of m.tokens) {
      const kept = token.events.filter((event) => event.at >= cutoff);
      token.events.splice(0, token.events.length, ...kept);
    }
  }
  toString(): string {
    return 'pruneEvents()';
  }
}
