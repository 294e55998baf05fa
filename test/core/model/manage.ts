/** Commands that change tokens and policies: rotate, revoke, revokeAll/removeUser, updateComment, setMaxTtl, ensureMasterToken. */
import { expect } from 'vitest';
import { actingToken, canAct, describeWho, type Who } from './authority.js';
import {
  actorCodes,
  actorFor,
  type Command,
  codes,
  describeTarget,
  expectInfo,
  GHOST_ID,
  hasTarget,
  lookupCodes,
  type Pick,
  type Real,
  refOf,
  resolve,
  rollSecret,
  target,
} from './checks.js';
import { TTL_CHOICES } from './issue.js';
import {
  type ActorName,
  activeUser,
  actorOf,
  effectiveMax,
  isExpired,
  isLive,
  liveNames,
  logEvent,
  type Model,
  type ModelToken,
  policyKey,
  tokensOf,
} from './model.js';
import { expectOutcome, settle } from './outcome.js';

export const GRACE_CHOICES: readonly { readonly grace: string | undefined; readonly ms: number | null }[] = [
  { grace: undefined, ms: null },
  { grace: '30s', ms: 30_000 },
  { grace: '1h', ms: 3_600_000 },
  { grace: '2d', ms: 2 * 86_400_000 },
];

export class RotateCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
    readonly grace: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const choice = GRACE_CHOICES[this.grace % GRACE_CHOICES.length]!;
    const expected = lookupCodes(m, this.actor, token, 'rotate');
    if (token !== null && expected.size === 0) {
      // Only a live token can be rotated (masters included: refresh is their one allowed change).
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked');
      if (isExpired(token, m.now)) expected.add('conflict').add('token_expired');
    }
    const rotated = expectOutcome(
      await settle(
        r.service.rotate(
          token?.id ?? GHOST_ID,
          await actorFor(m, r, this.actor),
          choice.grace === undefined ? undefined : { gracePeriod: choice.grace },
        ),
      ),
      expected,
      this.toString(),
    );
    if (rotated === null || token === null) return;
    // Same id, name, grants and expiry; a new secret.
    expect(rotated.token, 'a rotation makes a new secret').not.toBe(token.current);
    rollSecret(m, token, rotated.token, choice.ms);
    logEvent(m, token, 'rotated');
    expectInfo(m, rotated.info, token, this.toString());
  }
  toString(): string {
    const grace = GRACE_CHOICES[this.grace % GRACE_CHOICES.length]!.grace;
    return `rotate(${describeTarget(this.pick)}, ${describeWho(this.actor)}${grace === undefined ? '' : `, grace ${grace}`})`;
  }
}

export class RevokeCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token, 'revoke');
    // Master tokens cannot be revoked directly.
    if (token !== null && expected.size === 0 && token.type === 'master') expected.add('forbidden');
    const outcome = await settle(r.service.revoke(token?.id ?? GHOST_ID, await actorFor(m, r, this.actor)));
    if (token !== null && expected.size === 0 && token.revokedAt !== null) {
      // Revoking twice changes nothing: the first revocation stands (answered as it is, or as a conflict).
      if (outcome.ok) expectInfo(m, outcome.value, token, this.toString());
      else expect(outcome.code, this.toString()).toBe('conflict');
      return;
    }
    const info = expectOutcome(outcome, expected, this.toString());
    if (info === null || token === null) return;
    token.revokedAt = m.now;
    logEvent(m, token, 'revoked');
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `revoke(${describeTarget(this.pick)}, ${describeWho(this.actor)})`;
  }
}

/** revokeAll (DROP ALL … FOR USER) and removeUser: every unrevoked token of a user; removeUser takes the master too. */
export class RevokeUserCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly user: 'alice' | 'analyst' | 'bob',
    readonly removeUser: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const acting = actingToken(m, this.actor);
    const expected = actorCodes(m, this.actor);
    let tenant: string;
    if (acting === null) {
      const { tenant: own, user } = actorOf(this.actor as ActorName);
      tenant = own;
      const actorUser = activeUser(m, tenant, user);
      // Removing a user is an admin's act; revoking all tokens of someone else too.
      if (actorUser !== null && !actorUser.admin && (this.removeUser || this.user !== user)) expected.add('forbidden');
    } else {
      tenant = acting.tenant;
      // Through a token: only a master token revokes all of its own user's other tokens; none removes a user.
      if (this.removeUser || acting.type !== 'master' || acting.owner !== this.user) expected.add('forbidden');
    }
    const call = this.removeUser ? r.service.removeUser : r.service.revokeAll;
    const count = expectOutcome(
      await settle(call({ user: this.user }, await actorFor(m, r, this.actor))),
      expected,
      this.toString(),
    );
    if (count === null) return;
    const hit = tokensOf(m, tenant, this.user).filter(
      (token) => token.revokedAt === null && (this.removeUser || token.type !== 'master'),
    );
    expect(count, `${this.toString()}: count`).toBe(hit.length);
    for (const token of hit) {
      token.revokedAt = m.now;
      logEvent(m, token, 'revoked');
    }
  }
  toString(): string {
    return `${this.removeUser ? 'removeUser' : 'revokeAll'}(${this.user}, ${describeWho(this.actor)})`;
  }
}

export class UpdateCommentCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
    readonly byId: boolean,
    readonly comment: string | number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const picked = target(m, this.actor, this.pick);
    const token = resolve(m, this.actor, picked, this.byId);
    const expected = lookupCodes(m, this.actor, token, 'comment');
    if (typeof this.comment !== 'string') expected.add('invalid_request');
    if (token !== null && expected.size === 0) {
      // Master tokens cannot be modified; a revoked token is final.
      if (token.type === 'master') expected.add('forbidden');
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked').add('forbidden');
    }
    const info = expectOutcome(
      await settle(
        r.service.updateComment(refOf(picked, this.byId), this.comment as string, await actorFor(m, r, this.actor)),
      ),
      expected,
      this.toString(),
    );
    if (info === null || token === null) return;
    // Only the comment changes: same secret, same expiry (checked by later verifications).
    token.comment = this.comment as string;
    logEvent(m, token, 'comment_updated');
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `updateComment(${describeTarget(this.pick)} by ${this.byId ? 'id' : 'name'}, ${JSON.stringify(this.comment)}, ${describeWho(this.actor)})`;
  }
}

export class SetMaxTtlCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly subject: { readonly user: string } | { readonly role: string },
    readonly ttl: string | null,
  ) {}
  check(m: Readonly<Model>): boolean {
    return canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const acting = actingToken(m, this.actor);
    const tenant = acting?.tenant ?? actorOf(this.actor as ActorName).tenant;
    const actorUser = activeUser(m, tenant, acting === null ? actorOf(this.actor as ActorName).user : acting.owner);
    const expected = actorCodes(m, this.actor);
    // Duration policies are set by admins; through a token, only by an admin's master token.
    if (acting !== null && acting.type !== 'master') expected.add('forbidden');
    else if (actorUser !== null && !actorUser.admin) expected.add('forbidden');
    const ms = this.ttl === null ? null : TTL_CHOICES.find((choice) => choice.ttl === this.ttl)!.ms;
    if (ms === 'invalid') expected.add('invalid_request');
    // Setting (not removing) a user's policy needs a user the directory knows and keeps active.
    if (ms !== null && 'user' in this.subject && activeUser(m, tenant, this.subject.user) === null) {
      expected.add('not_found');
    }
    expectOutcome(
      await settle(r.service.setMaxTtl(this.subject, this.ttl, await actorFor(m, r, this.actor))),
      expected,
      this.toString(),
    );
    if (expected.size > 0) return;
    const key =
      'user' in this.subject
        ? policyKey(tenant, 'user', this.subject.user)
        : policyKey(tenant, 'role', this.subject.role);
    if (ms === null) m.policies.delete(key);
    else m.policies.set(key, ms as number);
    // The effective maximum of every user is the longest applicable policy, capped by the ceiling.
    for (const name of ['alice', 'analyst', 'bob']) {
      if (activeUser(m, tenant, name) === null) continue;
      const explained = await r.service.explainMaxTtl({ tenant, user: name });
      expect(explained.maxTtl, `${this.toString()}: explainMaxTtl(${name})`).toBe(effectiveMax(m, tenant, name).max);
    }
  }
  toString(): string {
    return `setMaxTtl(${JSON.stringify(this.subject)}, ${JSON.stringify(this.ttl)}, ${describeWho(this.actor)})`;
  }
}

export class EnsureMasterCommand implements Command {
  constructor(readonly user: ActorName) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { tenant, user } = actorOf(this.user);
    const expected = activeUser(m, tenant, user) === null ? codes('not_found', 'invalid_request') : codes();
    const result = expectOutcome(
      await settle(r.service.ensureMasterToken({ tenant, user })),
      expected,
      this.toString(),
    );
    if (result === null) return;
    // Exactly one live master per (tenant, user); the secret is shown only when it is created.
    const existing = tokensOf(m, tenant, user).find((token) => token.type === 'master' && isLive(token, m.now));
    expect(result.created, `${this.toString()}: created`).toBe(existing === undefined);
    if (existing !== undefined) {
      expect('token' in result, 'an existing master is not shown again').toBe(false);
      expectInfo(m, result.info, existing, this.toString());
      return;
    }
    if (!result.created) return;
    // Names are unique among the owner's live tokens, the master's too.
    expect(liveNames(m, tenant, user), `${this.toString()}: the master's name is taken`).not.toContain(
      result.info.name,
    );
    const master: ModelToken = {
      id: result.info.id,
      tenant,
      type: 'master',
      owner: user,
      name: result.info.name,
      comment: result.info.comment,
      grants: null,
      createdAt: m.now,
      // A master lives as long as the membership: it ends only when the user is removed.
      expiresAt: null,
      revokedAt: null,
      rotatedAt: null,
      current: result.token,
      grace: null,
      retired: [],
      purged: false,
      events: [],
    };
    m.tokens.push(master);
    logEvent(m, master, 'issued');
    expectInfo(m, result.info, master, this.toString());
  }
  toString(): string {
    return `ensureMasterToken(${this.user})`;
  }
}
