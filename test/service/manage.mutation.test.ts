/**
 * Policies, revocation, rotation and comments at their edges (issue 15):
 * the field each refusal names, and comment updates that lose a
 * compare-and-set race and retry.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';

describe('fields named', () => {
  it.each([
    ['a target that is not an object', 'bob', '1d', 'target'],
    ['a target naming neither user nor role', { tenant: 'acme' }, '1d', 'target'],
    ['a target naming both', { user: 'bob', role: 'bi' }, '1d', 'target'],
    ['a numeric user', { user: 5 }, '1d', 'target.user'],
    ['a numeric role', { role: 5 }, '1d', 'target.role'],
    ['a bad ttl', { user: 'bob' }, 'soon', 'ttl'],
  ])('setMaxTtl: %s names %s', async (_label, target, ttl, field) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.setMaxTtl(target as never, ttl, ALICE))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it('revokeAll and removeUser name target; rotate names options', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.revokeAll('bob' as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'target',
    });
    expect(await rejectionOf(h.service.removeUser({ user: 'bob', x: 1 } as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'target.x',
    });
    const issued = await h.service.issue({}, BOB);
    expect(await rejectionOf(h.service.rotate(issued.info.id, BOB, { grace: '1h' } as never))).toEqual({
      code: 'invalid_request',
      field: 'options.grace',
    });
  });

  it('removeUser is for admins only, even for one’s own user', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.removeUser({ tenant: 'acme', user: 'bob' }, BOB))).toBe('forbidden');
  });
});

describe('explainMaxTtl without a user policy', () => {
  it('is the ceiling from the system', async () => {
    const h = makeHarness({ policy: { maxTtl: '90d' } });
    expect(await h.service.explainMaxTtl({ tenant: 'acme', user: 'bob' })).toEqual({
      maxTtl: 90 * 86_400_000,
      source: { kind: 'system' },
      capped: false,
      applicable: [],
    });
  });
});

/** A memory store whose `update` loses the race `losses` times (answers null, as on a version conflict). */
function racing(losses: number) {
  const base = memoryRepository();
  let left = losses;
  const repository: TokenRepository = {
    ...base,
    update: async (...args) => {
      if (left > 0) {
        left--;
        return null;
      }
      return base.update(...args);
    },
  };
  return repository;
}

describe('updateComment retries a lost compare-and-set', () => {
  it('succeeds after four lost races', async () => {
    const h = makeHarness({ repository: racing(4) });
    const issued = await h.service.issue({}, BOB);
    expect((await h.service.updateComment(issued.info.id, 'note', BOB)).comment).toBe('note');
  });

  it('gives up with conflict after five', async () => {
    const h = makeHarness({ repository: racing(5) });
    const issued = await h.service.issue({}, BOB);
    expect(await codeOf(h.service.updateComment(issued.info.id, 'note', BOB))).toBe('conflict');
  });
});
