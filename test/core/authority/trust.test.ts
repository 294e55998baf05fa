/**
 * The breaches of "authority only narrows" (SPEC §2) an outside security
 * review found, one case per finding and its kind: a secret in its
 * rotation grace period acts on no management call and ends with its grace;
 * a principal verified before a rotation no longer acts; a claim code is
 * claimed only while its sharer may still share the token, and lives no
 * longer than `claimTtl`; a verification token reaches no master token.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../src/core/errors.js';
import { createKeySet, generateSigningKey } from '../../../src/jwt/index.js';
import { jwtSessionCodec } from '../../../src/jwt/session.js';
import type { TokenService } from '../../../src/service/token-service.js';
import type { Actor } from '../../../src/service/types.js';
import { rejectionOf } from '../../support/refusal.js';
import { ALICE, ANALYST, type Harness, makeHarness } from '../../support/service.js';

const HOUR = 3_600_000;
const VERIFICATION_SECRET = 'operator-root-secret-0123456789';

async function harness(): Promise<Harness> {
  const keys = await createKeySet({ signing: await generateSigningKey('HS256', { kid: 's' }) });
  let clock: () => number = () => 0;
  const codec = jwtSessionCodec({ keys, issuer: 'tw', audience: 'tw', now: () => clock() });
  const h = makeHarness({
    sessions: { codec, maxTtl: '12h' },
    verificationTokens: [{ secret: VERIFICATION_SECRET, tenant: 'acme', name: 'operator' }],
  });
  clock = h.clock.now;
  return h;
}

/** Every management call a token actor could make on `id`, by name. */
function managementCalls(service: TokenService, id: string, actor: Actor): Record<string, Promise<unknown>> {
  return {
    rotate: service.rotate(id, actor),
    share: service.share(id, actor),
    update: service.update(id, { ttl: '1h' }, actor),
    comment: service.updateComment(id, 'mine now', actor),
    get: service.get(id, actor),
    list: service.list({}, actor),
  };
}

/** `ok`, or the code of the `TokenError` a call was refused with; anything else fails the test. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

async function outcomes(calls: Record<string, Promise<unknown>>): Promise<Record<string, string>> {
  const entries = [];
  // One after another: a call may change what the next one sees.
  for (const [name, work] of Object.entries(calls)) entries.push([name, await outcome(work)]);
  return Object.fromEntries(entries);
}

describe('a secret in its rotation grace period', () => {
  it('verifies until its grace ends, and its principal says so', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    await h.service.rotate(token.info.id, ANALYST, { gracePeriod: '1h' });
    const principal = await h.service.verify(token.token);
    expect(principal.expiresAt?.getTime()).toBe(h.clock.now() + HOUR);
  });

  it('acts on no management call: rotate, share, update, comment, get, list are forbidden', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    await h.service.rotate(token.info.id, ANALYST, { gracePeriod: '1h' });
    const actor = { principal: await h.service.verify(token.token) };
    const got = await outcomes(managementCalls(h.service, token.info.id, actor));
    expect(got).toEqual({
      rotate: 'forbidden',
      share: 'forbidden',
      update: 'forbidden',
      comment: 'forbidden',
      get: 'forbidden',
      list: 'forbidden',
    });
  });

  it('of a master token creates no token', async () => {
    const h = await harness();
    const master = await h.service.ensureMasterToken(ANALYST);
    if (!master.created) throw new Error('expected a new master token');
    await h.service.rotate(master.info.id, ANALYST, { gracePeriod: '1h' });
    const actor = { principal: await h.service.verify(master.token) };
    expect(await outcome(h.service.issue({ name: 'backdoor', ttl: '30d' }, actor))).toBe('forbidden');
  });

  it('exchanges no session, and the owner keeps the new secret', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    const rotated = await h.service.rotate(token.info.id, ANALYST, { gracePeriod: '1h' });
    expect(await outcome(h.service.exchange(token.token, { ttl: '12h' }))).toBe('forbidden');
    h.clock.advance(2 * HOUR);
    expect(await outcome(h.service.verify(token.token))).toBe('token_invalid');
    expect((await h.service.verify(rotated.token)).tokenId).toBe(token.info.id);
  });
});

describe('a principal verified before a rotation', () => {
  it('no longer acts once its secret was rotated away (token_invalid), on any call', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    const stale = { principal: await h.service.verify(token.token) };
    const rotated = await h.service.rotate(token.info.id, ANALYST);
    const got = await outcomes(managementCalls(h.service, token.info.id, stale));
    expect(Object.values(got)).toEqual(Array(6).fill('token_invalid'));
    expect((await h.service.verify(rotated.token)).tokenId).toBe(token.info.id);
  });

  it('nor once it was rotated with a grace period (its secret is then being retired)', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    const stale = { principal: await h.service.verify(token.token) };
    await h.service.rotate(token.info.id, ANALYST, { gracePeriod: '1h' });
    expect(await outcome(h.service.rotate(token.info.id, stale))).toBe('token_invalid');
  });

  it('nor does a session verified before its parent was rotated', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    const session = await h.service.exchange(token.token, { ttl: '1h' });
    const stale = { principal: await h.service.verify(session.token) };
    await h.service.rotate(token.info.id, ANALYST);
    expect(await outcome(h.service.get(token.info.id, stale))).toBe('token_invalid');
  });

  it('acts again once verified with the new secret', async () => {
    const h = await harness();
    const token = await h.service.issue({ ttl: '30d' }, ANALYST);
    const rotated = await h.service.rotate(token.info.id, ANALYST);
    const fresh = { principal: await h.service.verify(rotated.token) };
    expect(await outcome(h.service.rotate(token.info.id, fresh))).toBe('ok');
  });
});

describe('a claim code', () => {
  async function sharedBy(h: Harness, sharerGrants?: { scope: string }[]) {
    const narrowing = sharerGrants === undefined ? {} : { grants: sharerGrants };
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1d', ...narrowing }, ANALYST);
    const target = await h.service.issue({ name: 'target', ttl: '1h', grants: [{ scope: 'reports' }] }, ANALYST);
    const actor = { principal: await h.service.verify(sharer.token) };
    const { code } = await h.service.share(target.info.id, actor);
    return { sharer, target, code };
  }

  it('is refused (forbidden) once the sharing token was revoked', async () => {
    const h = await harness();
    const { sharer, code } = await sharedBy(h);
    await h.service.revoke(sharer.info.id, ANALYST);
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is refused once the sharing token expired (its lifetime shortened after it shared)', async () => {
    const h = await harness();
    const { sharer, code } = await sharedBy(h);
    await h.service.update(sharer.info.id, { ttl: '1m' }, ANALYST);
    h.clock.advance(2 * 60_000);
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is refused once the sharing token was narrowed below the target', async () => {
    const h = await harness();
    const sharer = await h.service.issue({ name: 'sharer', ttl: '1d' }, ANALYST);
    const target = await h.service.issue(
      { name: 'target', ttl: '1h', grants: [{ bucket: 'in.c-csv-import', access: 'write' }] },
      ANALYST,
    );
    const { code } = await h.service.share(target.info.id, { principal: await h.service.verify(sharer.token) });
    await h.service.update(sharer.info.id, { grants: [{ scope: 'reports' }] }, ANALYST);
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is refused once the target was widened beyond the sharer', async () => {
    const h = await harness();
    const { target, code } = await sharedBy(h, [{ scope: 'reports' }]);
    await h.service.update(target.info.id, { grants: null, ttl: '30d' }, ANALYST);
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is refused once the sharing token was rotated (its secret is gone)', async () => {
    const h = await harness();
    const { sharer, code } = await sharedBy(h);
    h.clock.advance(1000);
    await h.service.rotate(sharer.info.id, ANALYST);
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is refused once the sharing user is no longer active', async () => {
    const h = await harness();
    const target = await h.service.issue({ name: 'target', ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(target.info.id, ANALYST);
    h.users.acme!.analyst!.active = false;
    expect(await outcome(h.service.claim(code))).toBe('forbidden');
  });

  it('is claimed while the sharer still may share: a token, a user, the system, a verification token', async () => {
    const h = await harness();
    const { code } = await sharedBy(h);
    expect(await outcome(h.service.claim(code))).toBe('ok');
    const target = await h.service.issue({ name: 'other', ttl: '1d' }, ANALYST);
    const byUser = await h.service.share(target.info.id, ALICE);
    expect(await outcome(h.service.claim(byUser.code))).toBe('ok');
    const bySystem = await h.service.share(target.info.id, 'system');
    expect(await outcome(h.service.claim(bySystem.code))).toBe('ok');
    const operator = { principal: await h.service.verify(VERIFICATION_SECRET) };
    const byOperator = await h.service.share(target.info.id, operator);
    expect(await outcome(h.service.claim(byOperator.code))).toBe('ok');
  });

  it('lives no longer than claimTtl: a longer ttl is refused naming ttl, never shortened', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true, claimTtl: '1h' } });
    const forever = await h.service.issue({ ttl: null }, ANALYST);
    expect(await rejectionOf(h.service.share(forever.info.id, ANALYST, { ttl: '3650d' }))).toEqual({
      code: 'duration_exceeds_policy',
      field: 'ttl',
    });
    const shared = await h.service.share(forever.info.id, ANALYST, { ttl: '1h' });
    expect(shared.expiresAt.getTime()).toBe(h.clock.now() + HOUR);
    expect((await h.service.share(forever.info.id, ANALYST)).expiresAt.getTime()).toBe(h.clock.now() + HOUR);
  });
});

describe('a verification token and master tokens', () => {
  it('reaches no master token: get, rotate, share, comment answer not_found; list shows none', async () => {
    const h = await harness();
    const master = await h.service.ensureMasterToken(ALICE);
    const operator = { principal: await h.service.verify(VERIFICATION_SECRET) };
    const got = await outcomes({
      get: h.service.get(master.info.id, operator),
      rotate: h.service.rotate(master.info.id, operator),
      share: h.service.share(master.info.id, operator),
      comment: h.service.updateComment(master.info.id, 'x', operator),
    });
    expect(got).toEqual({ get: 'not_found', rotate: 'not_found', share: 'not_found', comment: 'not_found' });
    const listed = await h.service.list({ all: true }, operator);
    expect(listed.items.filter((item) => item.type === 'master')).toEqual([]);
    // The admin themself still rotates it (SPEC §2: the user's own interactive actor or an admin).
    expect(await outcome(h.service.rotate(master.info.id, ALICE))).toBe('ok');
  });
});
