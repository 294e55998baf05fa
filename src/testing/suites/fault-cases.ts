/**
 * @internal The atomic operations the fault section sweeps: each with the
 * state it starts from, the call, and what of storage it looks at
 * afterwards. Every id, tenant and claim code comes from the fixtures, so
 * two runs of a case differ only in the fixtures' scope.
 */
import type { TokenRepository } from '../../core/repository.js';
import type { ClaimRecord, TokenRecord } from '../../core/types.js';
import { everyToken, type Fixtures, T0 } from '../fixtures.js';

/** One operation under faults. */
export interface FaultCase {
  readonly name: string;
  /** Builds the starting state (unfaulted) and returns the call to make and the claims to look for. */
  setup(repo: TokenRepository, fx: Fixtures): Promise<Scenario>;
  /** Last-used writes are best effort: reporting success without writing is allowed. */
  readonly bestEffort?: boolean;
  /** Only for stores that have the optional method. */
  readonly needs?: keyof TokenRepository;
}

interface Scenario {
  readonly run: () => Promise<unknown>;
  /** Claims whose presence is part of the state (consumed when observed, so observed last). */
  readonly claims?: readonly ClaimRecord[];
  /** Sessions whose sign-out is part of the state. */
  readonly sessions?: readonly string[];
  /** Expiry-warning markers are part of the state: which tokens a `markExpiring` call still claims (marks them). */
  readonly warnings?: { readonly within: number; readonly now: number };
}

async function insertAll(repo: TokenRepository, records: readonly TokenRecord[]): Promise<void> {
  for (const record of records) await repo.insert(record, { now: T0 });
}

export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: 'insert (cap check, token and event)',
    async setup(repo, fx) {
      await insertAll(repo, [fx.token()]);
      const record = fx.token();
      return { run: () => repo.insert(record, { now: T0, maxLivePerOwner: 5 }, fx.event(record.id)) };
    },
  },
  {
    name: 'insertMaster (token and event)',
    async setup(repo, fx) {
      const record = fx.token({ type: 'master', name: 'master' });
      return { run: () => repo.insertMaster(record, fx.event(record.id)) };
    },
  },
  {
    name: 'update (a rotation and its event)',
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      const change = {
        secretHash: `${record.secretHash}-next`,
        pepperVersion: 2,
        previousSecretHash: record.secretHash,
        previousPepperVersion: 1,
        previousExpiresAt: T0 + 60_000,
        rotatedAt: T0 + 1,
      };
      const event = fx.event(record.id, { type: 'rotated', operation: 'rotated', at: T0 + 1 });
      return { run: () => repo.update(record.id, 1, change, event) };
    },
  },
  {
    name: 'revoke (token and event)',
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      const event = fx.event(record.id, { type: 'revoked', operation: 'revoked', at: T0 + 1 });
      return { run: () => repo.revoke(record.id, T0 + 1, event) };
    },
  },
  {
    name: 'revokeOwner (several tokens, one event each)',
    async setup(repo, fx) {
      await insertAll(repo, [fx.token(), fx.token(), fx.token({ owner: 'bob' })]);
      await repo.insertMaster(fx.token({ type: 'master', name: 'master' }));
      // Event ids follow the token, not the order in which the store builds them.
      const event = (record: TokenRecord) =>
        fx.event(record.id, { id: `E${record.id}`, type: 'revoked', operation: 'revoked', at: T0 + 1 });
      return { run: () => repo.revokeOwner(fx.tenant, 'alice', T0 + 1, { includeMaster: false, event }) };
    },
  },
  {
    name: 'purgeExpired (tokens with their claims)',
    async setup(repo, fx) {
      const expired = fx.token({ expiresAt: T0 + 10 });
      const live = fx.token({ expiresAt: T0 + 1_000_000 });
      await insertAll(repo, [expired, live]);
      const claims = [fx.claim(expired.id), fx.claim(live.id)];
      for (const claim of claims) await repo.insertClaim(claim);
      return { run: () => repo.purgeExpired(T0 + 100), claims };
    },
  },
  {
    name: 'insertClaim (claim and event)',
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      const claim = fx.claim(record.id);
      const event = fx.event(record.id, { type: 'shared', operation: 'shared' });
      return { run: () => repo.insertClaim(claim, event), claims: [claim] };
    },
  },
  {
    name: 'consumeClaim',
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      const claim = fx.claim(record.id);
      await repo.insertClaim(claim);
      return { run: () => repo.consumeClaim(claim.codeHash, T0 + 1), claims: [claim] };
    },
  },
  {
    name: 'setPolicy (set)',
    async setup(repo, fx) {
      await repo.setPolicy(fx.tenant, { kind: 'user', name: 'alice' }, 60_000, T0);
      return { run: () => repo.setPolicy(fx.tenant, { kind: 'role', name: 'analysts' }, 120_000, T0 + 1) };
    },
  },
  {
    name: 'setPolicy (remove)',
    async setup(repo, fx) {
      await repo.setPolicy(fx.tenant, { kind: 'user', name: 'alice' }, 60_000, T0);
      return { run: () => repo.setPolicy(fx.tenant, { kind: 'user', name: 'alice' }, null, T0 + 1) };
    },
  },
  {
    name: 'appendEvent',
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      const event = fx.event(record.id, { type: 'used', operation: 'read', detail: { path: '/x' } });
      return { run: () => repo.appendEvent(event) };
    },
  },
  {
    name: 'pruneEvents',
    async setup(repo, fx) {
      const record = fx.token();
      await repo.insert(record, { now: T0 }, fx.event(record.id, { at: T0 }));
      await repo.appendEvent(fx.event(record.id, { type: 'used', operation: 'read', at: T0 + 1_000 }));
      return { run: () => repo.pruneEvents(T0 + 500) };
    },
  },
  {
    name: 'spend (credits and a rate limit)',
    needs: 'spend',
    async setup(repo, fx) {
      const meter = {
        ratelimits: [{ name: 'a', limit: 5, duration: 1_000 }],
        remaining: 3,
        refill: { interval: 1_000, amount: 4 },
        lastRefillAt: T0,
      };
      const record = fx.token({ meter });
      await insertAll(repo, [record]);
      return { run: () => repo.spend!(record.id, { cost: 2, ratelimits: null }, T0 + 1_500) };
    },
  },
  {
    name: 'refillCredits',
    needs: 'refillCredits',
    async setup(repo, fx) {
      const refill = { interval: 1_000, amount: 4 };
      const records = [1, 2].map(() => fx.token({ meter: { ratelimits: [], remaining: 0, refill, lastRefillAt: T0 } }));
      await insertAll(repo, records);
      return { run: () => repo.refillCredits!(T0 + 2_500) };
    },
  },
  {
    name: 'revokeSession',
    needs: 'revokeSession',
    async setup(repo, fx) {
      const parent = fx.token();
      await insertAll(repo, [parent]);
      const id = fx.id('S');
      return {
        run: () => repo.revokeSession!({ id, tenant: fx.tenant, expiresAt: T0 + 60_000 }),
        sessions: [`${id} ${parent.id}`],
      };
    },
  },
  {
    name: 'update (a rename, with its event)',
    async setup(repo, fx) {
      const record = fx.token({ name: 'before' });
      await insertAll(repo, [record, fx.token({ name: 'other' })]);
      const event = fx.event(record.id, { type: 'updated', operation: 'updated', at: T0 + 1 });
      return { run: () => repo.update(record.id, 1, { name: 'after', meta: { plan: 'pro' }, enabled: false }, event) };
    },
  },
  {
    name: 'insert (an imported key, with its event)',
    async setup(repo, fx) {
      const record = fx.token({ lookupHash: `sha256:${fx.scope}`, meta: { from: 'legacy' } });
      return { run: () => repo.insert(record, { now: T0 }, fx.event(record.id, { type: 'imported' })) };
    },
  },
  {
    name: 'markExpiring (several tokens)',
    async setup(repo, fx) {
      await insertAll(
        repo,
        [1, 2, 3].map((n) => fx.token({ expiresAt: T0 + n * 60_000 })),
      );
      const warnings = { within: 3_600_000, now: T0 };
      return { run: () => repo.markExpiring({ ...warnings, limit: 1000 }), warnings };
    },
  },
  {
    name: 'touch',
    bestEffort: true,
    async setup(repo, fx) {
      const record = fx.token();
      await insertAll(repo, [record]);
      return { run: () => repo.touch(record.id, T0 + 5) };
    },
  },
  {
    name: 'touchMany',
    bestEffort: true,
    needs: 'touchMany',
    async setup(repo, fx) {
      const records = [fx.token(), fx.token(), fx.token()];
      await insertAll(repo, records);
      return { run: () => repo.touchMany!(records.map((record, i) => ({ id: record.id, at: T0 + 5 + i }))) };
    },
  },
];

/**
 * Everything of one scope that storage holds, as text with the scope
 * replaced, so that the states of two runs can be compared: tokens
 * (revoked and expired included), their events, the policies of `alice`
 * and her role, which of `sessions` (`<session id> <token id>`) are signed
 * out, and which claims exist (consumed here: observe last).
 */
export async function observe(
  repo: TokenRepository,
  fx: Fixtures,
  claims: readonly ClaimRecord[],
  sessions: readonly string[] = [],
  warnings?: Scenario['warnings'],
): Promise<string> {
  const all = everyToken(fx.tenant);
  const tokens = (await repo.list(all)).items;
  const events = [];
  for (const token of tokens) events.push((await repo.listEvents({ tokenId: token.id, limit: 1000 })).items);
  const policies = await repo.policiesFor(fx.tenant, 'alice', ['analysts']);
  policies.sort((a, b) => a.subject.kind.localeCompare(b.subject.kind));
  const signedOut = [];
  for (const pair of sessions) {
    const [sessionId, parentId] = pair.split(' ') as [string, string];
    signedOut.push((await repo.findSession!(sessionId, parentId)).revoked);
  }
  const claimed = [];
  for (const claim of claims) claimed.push((await repo.consumeClaim(claim.codeHash, T0)) !== null);
  const unwarned =
    warnings === undefined
      ? []
      : (await repo.markExpiring({ ...warnings, limit: 1000 }))
          .filter((record) => record.tenant === fx.tenant)
          .map((record) => record.id);
  return JSON.stringify({ tokens, events, policies, signedOut, claimed, unwarned }).replaceAll(fx.scope, '#');
}
