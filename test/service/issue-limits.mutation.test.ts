/**
 * `issue` against written answers, continued (issue 15): the limits a new
 * token is inserted under, administrative tokens with grants and with the
 * name `master`, and `meta` and `enabled` at issue.
 */
import { describe, expect, it } from 'vitest';
import type { InsertLimits, TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';

/** A memory store that keeps the limits of every insert. */
function limitsKept(): { repository: TokenRepository; limits: InsertLimits[] } {
  const base = memoryRepository();
  const limits: InsertLimits[] = [];
  const repository = Object.assign(Object.create(base) as TokenRepository, {
    insert: (...args: Parameters<TokenRepository['insert']>) => {
      limits.push(args[1]);
      return base.insert(...args);
    },
  });
  return { repository, limits };
}

describe('the limits a new token is inserted under', () => {
  it('the per-user cap only for a token with an owner, and only when one is configured', async () => {
    const capped = limitsKept();
    const h = makeHarness({ repository: capped.repository, policy: { maxTokensPerUser: 2 } });
    const now = h.clock.now();
    await h.service.issue({}, BOB);
    await h.service.issue({ type: 'administrative' }, ALICE);
    expect(capped.limits).toStrictEqual([{ maxLivePerOwner: 2, now }, { now }]);

    const uncapped = limitsKept();
    const free = makeHarness({ repository: uncapped.repository });
    await free.service.issue({}, BOB);
    await free.service.issue({ type: 'administrative' }, ALICE);
    expect(uncapped.limits).toStrictEqual([{ now }, { now }]);
  });
});

describe('administrative tokens', () => {
  it('take grants within the admin who makes them', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ type: 'administrative', grants: [{ scope: 'reports' }] }, ALICE);
    expect(issued.info).toMatchObject({ owner: null, grants: [{ scope: 'reports' }] });
  });

  it('may be named master, which is reserved only for tokens with an owner', async () => {
    const h = makeHarness();
    await expect(h.service.issue({ type: 'administrative', name: 'master' }, ALICE)).resolves.toMatchObject({
      info: { name: 'master', owner: null },
    });
    expect(await rejectionOf(h.service.issue({ name: 'master' }, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'name',
    });
  });
});

describe('meta and enabled at issue', () => {
  it('are stored as given; a bad enabled names its field', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ meta: { team: 'data' }, enabled: false }, BOB);
    expect(issued.info).toMatchObject({ meta: { team: 'data' }, enabled: false });
    expect(await h.repository.findById(issued.info.id)).toMatchObject({ meta: { team: 'data' }, enabled: false });
    expect(await rejectionOf(h.service.issue({ enabled: 'no' } as never, BOB))).toEqual({
      code: 'invalid_request',
      field: 'enabled',
    });
  });
});
