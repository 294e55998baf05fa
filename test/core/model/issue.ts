/** The `issue` command: who may create which token, with which grants, lifetime and name (SPEC §2, §4, §5). */
import { expect } from 'vitest';
import { looksLikeToken } from '../../../src/core/format.js';
import type { Grant } from '../../../src/core/types.js';
import { actingTokens, type Command, codes, expectInfo, type Real } from './checks.js';
import {
  type ActorName,
  ALL,
  activeUser,
  actorOf,
  covers,
  DEFAULT_TTL,
  effectiveMax,
  intersect,
  liveCapped,
  liveNames,
  logEvent,
  MASTER_NAME,
  type Model,
  type ModelToken,
  type NeedKey,
  type NeedSet,
  needSet,
  userNeeds,
} from './model.js';
import { expectOutcome, settle } from './outcome.js';

/** Lifetimes the issue command asks for, with what the model reads them as. */
/** Lifetimes the issue command asks for, with what the model reads them as: well-formed ones under the ceiling first. */
export const TTL_CHOICES: readonly {
  readonly ttl: string | number | null | undefined;
  readonly ms: number | null | undefined | 'invalid';
}[] = [
  { ttl: undefined, ms: undefined },
  { ttl: null, ms: null },
  { ttl: 90_000, ms: 90_000 },
  { ttl: '1h', ms: 3_600_000 },
  { ttl: '24h', ms: 86_400_000 },
  { ttl: '30d', ms: 30 * 86_400_000 },
  { ttl: '90d', ms: 90 * 86_400_000 },
  { ttl: '1y', ms: 365 * 86_400_000 },
  { ttl: '400d', ms: 400 * 86_400_000 },
  { ttl: '0d', ms: 'invalid' },
  { ttl: 'soon', ms: 'invalid' },
];

export interface IssueParams {
  readonly actor: ActorName;
  /**
   * When set, the call is made with a verified token instead of as `actor`:
   * the token picked by `index` among those that verify now (among the
   * master tokens, if `master` and there are any).
   */
  readonly viaToken?: { readonly index: number; readonly master: boolean } | undefined;
  readonly type: 'personal' | 'limited' | 'administrative' | 'master' | undefined;
  readonly owner: string | undefined;
  readonly name: string | undefined;
  readonly ttl: number;
  readonly grants: Grant[] | undefined;
  readonly comment: string | undefined;
}

/** Who creates a token, as far as the rules care. */
interface Creator {
  readonly tenant: string;
  readonly user: string | null;
  readonly admin: boolean;
  /** What the creator may do, the ceiling of what it may grant. */
  readonly needs: NeedSet;
  /** Only users and master tokens create tokens (SPEC §2). */
  readonly mayIssue: boolean;
  readonly label: string;
}

function actingToken(m: Model, via: { readonly index: number; readonly master: boolean }): ModelToken {
  const candidates = actingTokens(m);
  const masters = candidates.filter((token) => token.type === 'master');
  const pool = via.master && masters.length > 0 ? masters : candidates;
  return pool[via.index % pool.length]!;
}

function creatorOf(m: Model, p: IssueParams, acting: ModelToken | null): Creator | null {
  if (acting !== null) {
    const owner = activeUser(m, acting.tenant, acting.owner);
    return {
      tenant: acting.tenant,
      user: acting.owner,
      admin: owner?.admin ?? false,
      // A master token has full access in its tenant.
      needs: ALL,
      mayIssue: acting.type === 'master',
      label: `token:${acting.id}`,
    };
  }
  const { tenant, user } = actorOf(p.actor);
  const found = activeUser(m, tenant, user);
  if (found === null) return null;
  return { tenant, user, admin: found.admin, needs: userNeeds(found), mayIssue: true, label: `user:${user}` };
}

export class IssueCommand implements Command {
  constructor(readonly p: IssueParams) {}
  check(m: Readonly<Model>): boolean {
    return this.p.viaToken === undefined || actingTokens(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const p = this.p;
    const choice = TTL_CHOICES[p.ttl % TTL_CHOICES.length]!;
    const acting = p.viaToken === undefined ? null : actingToken(m, p.viaToken);
    const creator = creatorOf(m, p, acting);
    const tenant = creator?.tenant ?? actorOf(p.actor).tenant;
    // Keboola's default (seed 004): without a type, a master token makes a limited token, a user a personal one.
    const type = p.type ?? (acting === null ? 'personal' : 'limited');
    const expected = codes();
    // Master tokens come only from ensureMasterToken.
    if (type === 'master') expected.add('invalid_request');
    let owner: string | null = null;
    let lifetime: number | null = null;
    let grants: Set<NeedKey> | null = null;
    if (creator === null || !creator.mayIssue) {
      // An unknown or inactive user, or a token other than a master one: nothing to check further.
      expected.add('forbidden');
    } else {
      let ownerNeeds: NeedSet = ALL;
      if (type === 'administrative') {
        // Administrative tokens are impersonal and only admins issue them.
        if (!creator.admin) expected.add('forbidden');
        if (p.owner !== undefined) expected.add('invalid_request');
      } else {
        // FOR USER is for admins only; the owner must be a live user of the tenant.
        owner = p.owner ?? creator.user;
        if (owner !== creator.user && !creator.admin) expected.add('forbidden');
        const ownerUser = activeUser(m, tenant, owner);
        if (ownerUser === null) expected.add('not_found').add('invalid_request');
        else ownerNeeds = userNeeds(ownerUser);
      }
      // Limited tokens give no access unless granted; a token never carries more than its creator (and owner) may do.
      grants = p.grants === undefined ? (type === 'limited' ? new Set() : null) : needSet(p.grants);
      if (grants !== null && !covers(intersect(creator.needs, ownerNeeds), grants)) {
        expected.add('insufficient_scope').add('forbidden');
      }
      // Refused, never shortened; no ttl means min(default, effective maximum); no expiry only where allowed.
      const limit = effectiveMax(m, tenant, owner);
      if (choice.ms === 'invalid') expected.add('invalid_request');
      else if (choice.ms === undefined) lifetime = Math.min(DEFAULT_TTL, limit.max);
      else if (choice.ms === null) {
        if (!m.config.allowNoExpiry || limit.fromPolicy) expected.add('duration_exceeds_policy');
      } else if (choice.ms > limit.max) expected.add('duration_exceeds_policy');
      else lifetime = choice.ms;
      if (p.name !== undefined && liveNames(m, tenant, owner).includes(p.name)) expected.add('conflict');
      // The master token's name is reserved in every user's namespace, so the two can never clash.
      if (owner !== null && p.name === MASTER_NAME) expected.add('invalid_request').add('conflict');
      if (owner !== null && liveCapped(m, tenant, owner) >= m.config.maxTokensPerUser) expected.add('limit_exceeded');
    }

    const input = {
      ...(p.type === undefined ? {} : { type: p.type }),
      ...(p.owner === undefined ? {} : { owner: p.owner }),
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(choice.ttl === undefined ? {} : { ttl: choice.ttl }),
      ...(p.grants === undefined ? {} : { grants: p.grants }),
      ...(p.comment === undefined ? {} : { comment: p.comment }),
    };
    const actor = acting === null ? actorOf(p.actor) : { principal: await r.service.verify(acting.current) };
    const issued = expectOutcome(
      await settle(r.service.issue(input as Parameters<Real['service']['issue']>[0], actor)),
      expected,
      this.toString(),
    );
    if (issued === null) return;
    const { token, info } = issued;
    expect(looksLikeToken(token), 'issued token has the checksummed format').toBe(true);
    if (p.name === undefined) {
      // A generated name is unique among the owner's live tokens.
      expect(liveNames(m, tenant, owner), 'generated name is fresh').not.toContain(info.name);
    }
    const modelToken: ModelToken = {
      id: info.id,
      tenant,
      type: type as ModelToken['type'],
      owner,
      name: p.name ?? info.name,
      comment: p.comment ?? '',
      grants,
      createdAt: m.now,
      expiresAt: lifetime === null ? null : m.now + lifetime,
      revokedAt: null,
      rotatedAt: null,
      current: token,
      grace: null,
      retired: [],
      purged: false,
      events: [],
    };
    expect(
      m.tokens.some((known) => known.id === info.id),
      'ids are unique',
    ).toBe(false);
    m.tokens.push(modelToken);
    logEvent(m, modelToken, 'issued');
    expectInfo(m, info, modelToken, this.toString());
    expect(info.createdBy, 'createdBy names the creator').toBe(creator?.label);
  }
  toString(): string {
    const p = this.p;
    const ttl = TTL_CHOICES[p.ttl % TTL_CHOICES.length]!.ttl;
    const who = p.viaToken === undefined ? p.actor : `${p.viaToken.master ? 'master' : 'token'} #${p.viaToken.index}`;
    return `issue(${JSON.stringify({ type: p.type, owner: p.owner, name: p.name, ttl, grants: p.grants, comment: p.comment })}, ${who})`;
  }
}
