/** Commands that only look: get, list (with the hide filters) and events. */
import { expect } from 'vitest';
import { actingToken, canAct, describeWho, maySee, reachOf, type Who } from './authority.js';
import {
  actorCodes,
  actorFor,
  type Command,
  describeTarget,
  expectInfo,
  expectNoSecrets,
  GHOST_ID,
  hasTarget,
  lookupCodes,
  type Pick,
  type Real,
  refOf,
  resolve,
  target,
} from './checks.js';
import { type ActorName, activeUser, actorOf, isExpired, type Model } from './model.js';
import { expectOutcome, settle } from './outcome.js';

export class GetCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
    readonly byId: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const picked = target(m, this.actor, this.pick);
    const token = resolve(m, this.actor, picked, this.byId);
    const expected = lookupCodes(m, this.actor, token);
    const info = expectOutcome(
      await settle(r.service.get(refOf(picked, this.byId), await actorFor(m, r, this.actor))),
      expected,
      this.toString(),
    );
    if (info === null || token === null) return;
    expectInfo(m, info, token, this.toString());
  }
  toString(): string {
    return `get(${describeTarget(this.pick)} by ${this.byId ? 'id' : 'name'}, ${describeWho(this.actor)})`;
  }
}

export type ListScope = 'own' | 'alice' | 'analyst' | 'bob' | 'administrative' | 'all';

export class ListCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly scope: ListScope,
    readonly hideExpired: boolean | undefined,
    readonly hideRevoked: boolean | undefined,
  ) {}
  check(m: Readonly<Model>): boolean {
    return canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const acting = actingToken(m, this.actor);
    const { tenant, user } =
      acting === null ? actorOf(this.actor as ActorName) : { tenant: acting.tenant, user: acting.owner };
    const expected = actorCodes(m, this.actor);
    const owner: string | null | undefined =
      this.scope === 'own'
        ? user
        : this.scope === 'administrative'
          ? null
          : this.scope === 'all'
            ? undefined
            : this.scope;
    if (acting === null) {
      // Users list their own tokens; another user's, the administrative ones or all of them are for admins.
      const actorUser = activeUser(m, tenant, user);
      if (actorUser !== null && !actorUser.admin && owner !== user) expected.add('forbidden');
    } else if (this.scope === 'own' && user === null) {
      // A token without owner must name whose tokens it lists.
      expected.add('invalid_request');
    } else if (reachOf(m, acting, 'read') !== 'tenant' && owner !== user) {
      // A token lists beyond its own user's tokens only where it reads the tenant.
      expected.add('forbidden');
    }
    const filter = {
      ...(this.scope === 'own' ? {} : this.scope === 'all' ? { all: true } : { owner: owner as string | null }),
      ...(this.hideExpired === undefined ? {} : { hideExpired: this.hideExpired }),
      ...(this.hideRevoked === undefined ? {} : { hideRevoked: this.hideRevoked }),
      limit: 1000,
    };
    const page = expectOutcome(
      await settle(r.service.list(filter, await actorFor(m, r, this.actor))),
      expected,
      this.toString(),
    );
    if (page === null) return;
    // Hiding is on by default; a token both revoked and expired shows only when neither is hidden.
    const hideExpired = this.hideExpired ?? true;
    const hideRevoked = this.hideRevoked ?? true;
    const visible = m.tokens.filter(
      (token) =>
        !token.purged &&
        token.tenant === tenant &&
        (owner === undefined || token.owner === owner) &&
        !(hideExpired && isExpired(token, m.now)) &&
        !(hideRevoked && token.revokedAt !== null) &&
        // A token lists only what it may read.
        (acting === null || maySee(m, this.actor, token)),
    );
    expect(page.nextCursor, 'one page holds everything').toBeNull();
    expect(page.items.map((info) => info.id).sort(), this.toString()).toEqual(visible.map((token) => token.id).sort());
    for (const info of page.items) {
      expectInfo(m, info, visible.find((token) => token.id === info.id)!, this.toString());
    }
    // Listings are newest first.
    const created = page.items.map((info) => info.createdAt.getTime());
    expect(created, 'newest first').toEqual([...created].sort((a, b) => b - a));
  }
  toString(): string {
    return `list(${this.scope}, hideExpired ${this.hideExpired}, hideRevoked ${this.hideRevoked}, ${describeWho(this.actor)})`;
  }
}

/** `events(ref)`: the token's history, newest first, for those who manage it. */
export class EventsCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token);
    const page = expectOutcome(
      await settle(r.service.events(token?.id ?? GHOST_ID, await actorFor(m, r, this.actor), { limit: 1000 })),
      expected,
      this.toString(),
    );
    if (page === null || token === null) return;
    expect(
      page.items.map((event) => [event.type, event.operation, event.at.getTime()]),
      this.toString(),
    ).toEqual(
      // Newest first by time, then by order of recording: a `shared` event stamped a millisecond ahead of
      // the clock (after a rotation in the same millisecond) sorts before later events at the clock's time.
      [...token.events]
        .sort((a, b) => a.at - b.at)
        .map((event) => [event.type, event.operation, event.at])
        .reverse(),
    );
    expectNoSecrets(m, page, this.toString());
  }
  toString(): string {
    return `events(${describeTarget(this.pick)}, ${describeWho(this.actor)})`;
  }
}
