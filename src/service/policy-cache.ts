/**
 * @internal The duration policies `issue` read, kept by each service
 * instance, so that an issue on a store with policy versions (PostgreSQL,
 * migration 6) costs one round trip instead of two (issue 12).
 *
 * Safe because the store checks: an entry is the policies of one (tenant,
 * user, roles) read together with the tenant's policy version, and an issue
 * decided under it is inserted with `insertAtPolicyVersion`, which refuses,
 * atomically with the insert, if any policy of the tenant was written since
 * (on any instance, or by hand). Then the entry is dropped, the policies are
 * read again and the issue is decided afresh: a policy committed before an
 * issue starts always governs it. An issue the kept policies refuse is
 * decided afresh too (the policy may have been loosened since), so only a
 * granted issue skips the read. Bounded: at most `POLICY_CACHE_ENTRIES`
 * entries per service, the least recently used dropped first; a
 * `setPolicy` through the service drops its tenant's entries. Policies are
 * not secrets; nothing else is kept.
 */
import { type ApplicablePolicy, type MaxTtlExplanation, resolveMaxTtl } from '../core/policy.js';
import type { InsertLimits, VersionedPolicies } from '../core/repository.js';
import type { DurationPolicy, TokenEvent, TokenRecord } from '../core/types.js';
import { guarded, type ServiceContext } from './context.js';

/** The most entries one service keeps. */
export const POLICY_CACHE_ENTRIES = 1000;

/** What one issue writes, decided under a lifetime limit. */
export interface IssueWrite {
  readonly record: TokenRecord;
  readonly limits: InsertLimits;
  readonly event: TokenEvent;
}

const caches = new WeakMap<ServiceContext, Map<string, VersionedPolicies>>();

function cacheOf(context: ServiceContext): Map<string, VersionedPolicies> {
  const found = caches.get(context);
  if (found !== undefined) return found;
  const cache = new Map<string, VersionedPolicies>();
  caches.set(context, cache);
  return cache;
}

// JSON keeps the parts apart whatever characters they hold; the tenant comes first for `forgetPolicies`.
const tenantKey = (tenant: string): string => JSON.stringify([tenant]).slice(0, -1);
const entryKey = (tenant: string, user: string, roles: readonly string[]): string =>
  `${tenantKey(tenant)},${JSON.stringify([user, [...new Set(roles)].sort()])}`;

/** Drops the entries of `tenant` (after a `setPolicy` through this service: its next issue would be refused as stale). */
export function forgetPolicies(context: ServiceContext, tenant: string): void {
  const cache = caches.get(context);
  if (cache === undefined) return;
  const prefix = `${tenantKey(tenant)},`;
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}

/**
 * Decides an issue under the policies of `owner` (`decide` may throw, e.g.
 * `duration_exceeds_policy`) and inserts what it decided. Without an owner
 * no policy applies and none is read; on a store without policy versions,
 * the policies are read every time.
 */
export async function insertUnderPolicies(
  context: ServiceContext,
  tenant: string,
  owner: string | null,
  roles: readonly string[],
  decide: (limit: MaxTtlExplanation) => Promise<IssueWrite>,
): Promise<IssueWrite> {
  const { repository } = context;
  const read = repository.policiesWithVersion;
  const insertAt = repository.insertAtPolicyVersion;
  if (owner !== null && read !== undefined && insertAt !== undefined) {
    const cache = cacheOf(context);
    const key = entryKey(tenant, owner, roles);
    const kept = cache.get(key);
    if (kept !== undefined) {
      cache.delete(key);
      cache.set(key, kept); // the most recently used last
      // A refusal under kept policies may be theirs alone (a policy since loosened): the fresh ones decide it.
      const write = await decide(limitFrom(context, kept.policies)).catch(() => null);
      if (write !== null) {
        const { record, limits, event } = write;
        if (await guarded(insertAt.call(repository, record, limits, kept.version, event))) return write;
      }
      cache.delete(key);
    }
    // A fresh read, made after this call began: the plain insert below is as safe as on any store.
    const fresh = await guarded(read.call(repository, tenant, owner, roles));
    cache.set(key, fresh);
    if (cache.size > POLICY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    return insertDecided(context, await decide(limitFrom(context, fresh.policies)));
  }
  const policies = owner === null ? [] : await guarded(repository.policiesFor(tenant, owner, roles));
  return insertDecided(context, await decide(limitFrom(context, policies)));
}

/** The effective maximum lifetime under the policies that apply to a user (none: the system ceiling). */
export function limitFrom(context: ServiceContext, policies: readonly DurationPolicy[]): MaxTtlExplanation {
  const applicable: ApplicablePolicy[] = policies.map((found) => ({
    source: { kind: found.subject.kind, name: found.subject.name },
    maxTtl: found.maxTtl,
  }));
  return resolveMaxTtl(applicable, context.settings.ceiling);
}

async function insertDecided(context: ServiceContext, write: IssueWrite): Promise<IssueWrite> {
  await guarded(context.repository.insert(write.record, write.limits, write.event));
  return write;
}
