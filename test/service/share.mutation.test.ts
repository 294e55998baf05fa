/**
 * Claims judged against the sharer at claim time, at their edges (issue 15,
 * SPEC §2 "authority only narrows"): a sharing token rotated before it
 * shared (or in the same millisecond) still stands, one disabled or deleted
 * since does not; a verification token shares only while it is configured,
 * by name and tenant; a directory outage is `unavailable`, never a pass or
 * a refusal. And the claim itself: a code that only prints as one, a target
 * deleted or expired between share and claim, lost compare-and-set races.
 */
import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { Directory } from '../../src/core/types.js';
import type { VerificationTokenConfig } from '../../src/core/verification-tokens.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ANALYST, makeHarness, USERS } from '../support/service.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SECRET = 'operator-root-secret-0123456789';
const OPERATOR = { secret: SECRET, tenant: 'acme', name: 'operator' };

describe('a sharing token, judged when the code is claimed', () => {
  it('rotated before it shared (even in the same millisecond) still stands', async () => {
    const h = makeHarness();
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1d' }, ANALYST);
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    h.clock.advance(MINUTE);
    const rotated = await h.service.rotate(sharer.info.id, ANALYST);
    // Same millisecond as the rotation: the new secret may have shared.
    const same = await h.service.share(target.info.id, { principal: await h.service.verify(rotated.token) });
    expect(await h.service.claim(same.code)).toMatchObject({ info: { id: target.info.id } });
    h.clock.advance(MINUTE);
    const later = await h.service.share(target.info.id, { principal: await h.service.verify(rotated.token) });
    expect(await h.service.claim(later.code)).toMatchObject({ info: { id: target.info.id } });
  });

  it('disabled since it shared: refused; enabled again: claimed', async () => {
    const h = makeHarness();
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1d' }, ANALYST);
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, { principal: await h.service.verify(sharer.token) });
    await h.service.update(sharer.info.id, { enabled: false }, ANALYST);
    expect(await codeOf(h.service.claim(code))).toBe('forbidden');
    const again = await h.service.issue({ name: 'sharer-2', ttl: '1d' }, ANALYST);
    const second = await h.service.share(target.info.id, { principal: await h.service.verify(again.token) });
    await h.service.update(again.info.id, { enabled: false }, ANALYST);
    await h.service.update(again.info.id, { enabled: true }, ANALYST);
    expect(await h.service.claim(second.code)).toMatchObject({ info: { id: target.info.id } });
  });

  it('deleted since it shared (purged after expiry): refused', async () => {
    const h = makeHarness();
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1h' }, ANALYST);
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, { principal: await h.service.verify(sharer.token) });
    await h.service.update(sharer.info.id, { ttl: '1m' }, ANALYST);
    h.clock.advance(2 * MINUTE);
    expect(await h.repository.purgeExpired(h.clock.now())).toBeGreaterThan(0);
    expect(await h.repository.findById(sharer.info.id)).toBeNull();
    expect(await codeOf(h.service.claim(code))).toBe('forbidden');
  });

  it('a directory outage at claim time is unavailable, not a refusal', async () => {
    const live = staticDirectory(USERS);
    let down = false;
    const directory: Directory = {
      getUser: async (tenant, user) => {
        if (down) throw new Error('directory down');
        return live.getUser(tenant, user);
      },
    };
    const h = makeHarness({ directory });
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    down = true;
    expect(await codeOf(h.service.claim(code))).toBe('unavailable');
  });
});

describe('a sharer label found in storage', () => {
  it.each([
    ['of no known kind, though it ends in a live token id', (id: string) => `other:${id}`],
    ['of a user without the prefix', () => 'analyst'],
    ['of a token without the prefix', (id: string) => id],
  ])('%s names no sharer: refused', async (_label, forge) => {
    const base = memoryRepository();
    let forged = '';
    const repository: TokenRepository = {
      ...base,
      consumeClaim: async (...args) => {
        const found = await base.consumeClaim(...args);
        return found === null ? null : { ...found, createdBy: forged };
      },
    };
    const h = makeHarness({ repository });
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1d' }, ANALYST);
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, { principal: await h.service.verify(sharer.token) });
    forged = forge(sharer.info.id);
    expect(await codeOf(h.service.claim(code))).toBe('forbidden');
  });
});

describe('a sharing verification token, judged when the code is claimed', () => {
  async function sharedByOperator(): Promise<{ code: string; repository: TokenRepository }> {
    const repository = memoryRepository();
    const h = makeHarness({ repository, verificationTokens: [OPERATOR] });
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, { principal: await h.service.verify(SECRET) });
    return { code, repository };
  }

  it.each([
    ['no longer configured', []],
    ['configured for another tenant', [{ ...OPERATOR, tenant: 'globex' }]],
    ['configured under another name', [{ ...OPERATOR, name: 'engine' }]],
  ] as [string, VerificationTokenConfig[]][])('%s: refused', async (_label, verificationTokens) => {
    const { code, repository } = await sharedByOperator();
    const later = makeHarness({ repository, verificationTokens });
    expect(await codeOf(later.service.claim(code))).toBe('forbidden');
  });

  it('configured the same, with another secret: claimed (the name and tenant identify it)', async () => {
    const { code, repository } = await sharedByOperator();
    const later = makeHarness({
      repository,
      verificationTokens: [
        { ...OPERATOR, name: 'engine' },
        { ...OPERATOR, secret: `${SECRET}-new` },
      ],
    });
    expect(await later.service.claim(code)).toMatchObject({ info: { name: 'target' } });
  });

  it('under personalTokensOnly: refused', async () => {
    const { code, repository } = await sharedByOperator();
    const later = makeHarness({ repository, verificationTokens: [OPERATOR], personalTokensOnly: true });
    expect(await codeOf(later.service.claim(code))).toBe('forbidden');
  });
});

/** A memory store whose `update` loses `losses` races, and whose `findById` can be told to find nothing. */
function racing(losses: number) {
  const base = memoryRepository();
  const state = { left: losses, writes: 0, hidden: '' };
  const repository: TokenRepository = {
    ...base,
    findById: async (id) => (id === state.hidden ? null : base.findById(id)),
    update: async (...args) => {
      state.writes++;
      if (state.left > 0) {
        state.left--;
        return null;
      }
      return base.update(...args);
    },
  };
  return { repository, state };
}

describe('claim', () => {
  it('refuses a non-string that prints as a valid code, naming code; the code itself still works', async () => {
    const h = makeHarness();
    const target = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    const printed = { toString: () => code };
    expect(await rejectionOf(h.service.claim(printed as never))).toEqual({ code: 'invalid_request', field: 'code' });
    await expect(h.service.claim(code)).resolves.toMatchObject({ info: { id: target.info.id } });
  });

  it('rotates after four lost races; gives up with conflict after five', async () => {
    const four = racing(4);
    const h = makeHarness({ repository: four.repository });
    const target = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    const claimed = await h.service.claim(code);
    expect((await h.service.verify(claimed.token)).tokenId).toBe(target.info.id);
    expect(four.state.writes).toBe(5);

    const five = racing(5);
    const g = makeHarness({ repository: five.repository });
    const other = await g.service.issue({}, ANALYST);
    const shared = await g.service.share(other.info.id, ANALYST);
    expect(await codeOf(g.service.claim(shared.code))).toBe('conflict');
    expect(five.state.writes).toBe(5);
    await expect(g.service.verify(other.token)).resolves.toMatchObject({ tokenId: other.info.id });
  });

  it('a target gone between share and claim is not_found', async () => {
    const { repository, state } = racing(0);
    const h = makeHarness({ repository });
    const target = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    state.hidden = target.info.id;
    expect(await codeOf(h.service.claim(code))).toBe('not_found');
  });

  it('a target whose lifetime was shortened below the code’s is token_expired once it ends', async () => {
    const h = makeHarness();
    const target = await h.service.issue({ ttl: '30d' }, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    await h.service.update(target.info.id, { ttl: '1h' }, ANALYST);
    h.clock.advance(HOUR);
    expect(await codeOf(h.service.claim(code))).toBe('token_expired');
  });
});
