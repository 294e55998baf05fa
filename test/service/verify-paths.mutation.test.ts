/**
 * `verify` on its less travelled paths, against written answers (issue 15):
 * a directory that answers later, a store that fails or answers the wrong
 * record, a session codec that refuses a string, a metered token asked for
 * its own tenant, the failure hook before anything was parsed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import { TokenError } from '../../src/core/errors.js';
import type { SessionCodec } from '../../src/core/format-types.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, makeHarness, USERS } from '../support/service.js';
import { plainCodec } from './plain-codec.js';

describe('a directory that answers later', () => {
  it("gives the principal its owner's rights as they are", async () => {
    const inner = staticDirectory(structuredClone(USERS) as StaticDirectoryData);
    const directory = { getUser: async (tenant: string, user: string) => inner.getUser(tenant, user) };
    const h = makeHarness({ directory });
    const admin = await h.service.verify((await h.service.issue({}, ALICE)).token);
    const analyst = await h.service.verify((await h.service.issue({}, ANALYST)).token);
    expect([admin.ownerIsAdmin, admin.grants]).toEqual([true, 'all']);
    expect(analyst.ownerIsAdmin).toBe(false);
    expect(analyst.can({ scope: 'reports' })).toBe(true);
    expect(analyst.can({ scope: 'admin' })).toBe(false);
  });
});

describe('storage', () => {
  it('a failure is unavailable, with the failure as its cause', async () => {
    const base = memoryRepository();
    const failure = new Error('connection reset');
    const broken = { on: false };
    const repository = Object.assign(Object.create(base) as TokenRepository, {
      findByIdSync: undefined,
      findById: (id: string) => (broken.on ? Promise.reject(failure) : base.findById(id)),
    });
    const h = makeHarness({ repository });
    const { token } = await h.service.issue({}, ANALYST);
    broken.on = true;
    const error = await h.service.verify(token).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenError);
    expect([(error as TokenError).code, (error as TokenError).cause]).toEqual(['unavailable', failure]);
  });

  it('a well-formed string for a token the store does not have is token_invalid', async () => {
    const h = makeHarness();
    const { token } = await h.service.issue({}, ANALYST);
    const elsewhere = makeHarness();
    expect(await codeOf(elsewhere.service.verify(token))).toBe('token_invalid');
  });

  it('an imported key is refused when the store answers the record of another key', async () => {
    const hex = (key: string) => createHash('sha256').update(key).digest('hex');
    const base = memoryRepository();
    const first = 'sk_live_first_key_01';
    const second = 'sk_live_second_key_2';
    const h0 = makeHarness({ repository: base, legacyPrefixes: ['sk_live_'] });
    await h0.service.importTokens(
      [first, second].map((key) => ({ hash: { value: hex(key), variant: 'sha256_hex' as const }, owner: 'bob' })),
      ALICE,
    );
    // Whatever it is asked, this store answers the record of the first key.
    const firstRecord = await base.findByLookupHash([`sha256:${hex(first)}`]);
    expect(firstRecord).not.toBeNull();
    const wrong = Object.assign(Object.create(base) as TokenRepository, {
      findByLookupHash: async () => firstRecord,
    });
    const h = makeHarness({ repository: wrong, legacyPrefixes: ['sk_live_'] });
    expect(await codeOf(h.service.verify(second))).toBe('token_invalid');
  });

  it('an imported key rotated twice, each with a grace period, is refused during the second grace', async () => {
    // The store keeps the imported key's lookup hash through a graced rotation; after the second, that hash is
    // neither the current secret's nor the previous one's, and only those two may verify.
    const key = 'sk_live_rotated_twice';
    const h = makeHarness({ legacyPrefixes: ['sk_live_'] });
    const hash = { value: createHash('sha256').update(key).digest('hex'), variant: 'sha256_hex' as const };
    const {
      imported: [imported],
    } = await h.service.importTokens([{ hash, owner: 'bob' }], ALICE);
    const id = imported?.info.id ?? '';
    const once = await h.service.rotate(id, ALICE, { gracePeriod: '1h' });
    expect((await h.service.verify(key)).tokenId).toBe(id); // in its grace
    await h.service.rotate(id, ALICE, { gracePeriod: '1h' });
    expect(await codeOf(h.service.verify(key))).toBe('token_invalid');
    expect((await h.service.verify(once.token)).tokenId).toBe(id); // the first rotation's secret, in its grace
  });
});

describe('sessions', () => {
  it('a string the codec refuses is token_invalid', async () => {
    const refusing: SessionCodec = { ...plainCodec, parse: async () => null };
    const h = makeHarness({ sessions: { codec: refusing } });
    expect(await codeOf(h.service.verify('sess.{"sessionId":"x"}'))).toBe('token_invalid');
  });

  it("a metered token's session acts as its parent: not as a secret being retired", async () => {
    const h = makeHarness({ sessions: { codec: plainCodec } });
    const issued = await h.service.issue({ remaining: 10 }, ANALYST);
    const session = await h.service.exchange(issued.token);
    const principal = await h.service.verify(session.token);
    expect(principal.remaining).toBe(8);
    await expect(h.service.get(issued.info.id, { principal })).resolves.toMatchObject({ id: issued.info.id });
  });
});

describe('metered tokens', () => {
  it('verify for their own tenant, and spend nothing for another', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ remaining: 5 }, ANALYST);
    expect((await h.service.verify(issued.token, { tenant: 'acme' })).remaining).toBe(4);
    expect(await codeOf(h.service.verify(issued.token, { tenant: 'globex' }))).toBe('token_invalid');
    expect((await h.service.verify(issued.token)).remaining).toBe(3);
  });

  it("a session of one spends nothing when verified for another tenant (the session path's own check)", async () => {
    const h = makeHarness({ sessions: { codec: plainCodec } });
    const issued = await h.service.issue({ remaining: 10 }, ANALYST);
    const session = await h.service.exchange(issued.token); // the exchange spends one
    expect(await codeOf(h.service.verify(session.token, { tenant: 'globex' }))).toBe('token_invalid');
    expect(await codeOf(h.service.verify(session.token, { tenant: 'globex' }))).toBe('token_invalid');
    expect((await h.service.verify(session.token, { tenant: 'acme' })).remaining).toBe(8);
  });
});

describe('the failure hook', () => {
  it('hears of a refusal made before anything was parsed, naming no token', async () => {
    const onVerificationFailed = vi.fn();
    const h = makeHarness({ hooks: { onVerificationFailed } });
    expect(await codeOf(h.service.verify(42 as unknown as string))).toBe('token_invalid');
    expect(await codeOf(h.service.verify('x', { cost: -1 } as never))).toBe('invalid_request');
    await vi.waitFor(() => expect(onVerificationFailed).toHaveBeenCalledTimes(2));
    expect(onVerificationFailed.mock.calls.map(([payload]) => [payload.code, payload.tokenId])).toEqual([
      ['token_invalid', null],
      ['invalid_request', null],
    ]);
  });
});
