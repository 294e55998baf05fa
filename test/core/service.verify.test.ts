import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

/** A repository whose every call can be counted or made to fail. */
function instrumented(base: TokenRepository = memoryRepository()) {
  const calls: string[] = [];
  let failing = false;
  const repository = new Proxy(base, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        if (failing) return Promise.reject(new Error('connection refused'));
        return value.apply(target, args);
      };
    },
  });
  return {
    repository,
    calls,
    fail(on: boolean) {
      failing = on;
    },
  };
}

describe('verify', () => {
  it('accepts a fresh token and returns its principal', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ name: 'ci_pipeline', ttl: '30d' }, ANALYST);
    const principal = await h.service.verify(token);
    expect(principal).toMatchObject({
      tokenId: info.id,
      type: 'personal',
      tenant: 'acme',
      owner: 'analyst',
      name: 'ci_pipeline',
    });
    expect(principal.expiresAt?.getTime()).toBe(h.clock.now() + 30 * 86_400_000);
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'read' })).toBe(true);
    expect(principal.can({ bucket: 'out.c-main', access: 'read' })).toBe(false);
    expect(() => principal.assert({ scope: 'admin' })).toThrow(TokenError);
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['a word', 'hello'],
    ['bearer prefix', 'Bearer abc'],
    ['8 KB', 'x'.repeat(8192)],
    ['non-ASCII', 'токен'],
    ['CR/LF', 'acme_p_\r\nSet-Cookie: x'],
    ['NUL bytes', '\u0000\u0000'],
    ['lone surrogate', '\ud800'],
    ['JSON', '{"token":"x"}'],
    ['JWT-looking', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ['wrong prefix', 'other_p_01JD3Z6Q9X8K7M5N4P3R2S1T0Vaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
  ])('rejects junk (%s) with token_invalid and never touches the repository', async (_label, junk) => {
    const probe = instrumented();
    const h = makeHarness({ repository: probe.repository });
    expect(await codeOf(h.service.verify(junk))).toBe('token_invalid');
    expect(probe.calls).toEqual([]);
  });

  it.each([null, undefined, 42, {}, [], Symbol('x'), () => 'x'])(
    'answers a non-string (%s) with a TokenError, nothing else',
    async (junk) => {
      const h = makeHarness();
      expect(await codeOf(h.service.verify(junk as unknown as string))).toBe('token_invalid');
    },
  );

  it('never throws anything but TokenError on arbitrary strings (property)', async () => {
    const h = makeHarness();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: 'binary' }), async (text) => {
        await expect(h.service.verify(text)).rejects.toBeInstanceOf(TokenError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any single-character change by checksum (no lookup) or by hash (property)', async () => {
    const probe = instrumented();
    const h = makeHarness({ repository: probe.repository });
    const { token } = await h.service.issue({}, ANALYST);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijklmnopqrstuvwxyz_';
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...alphabet), async (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const changed = token.slice(0, index) + replacement + token.slice(index + 1);
        probe.calls.length = 0;
        expect(await codeOf(h.service.verify(changed))).toBe('token_invalid');
        // A single changed character never survives the checksum, so storage is not even asked.
        expect(probe.calls.filter((call) => call.startsWith('findById'))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a well-formed token whose secret is wrong (the keyed hash decides)', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({}, ANALYST);
    const { opaqueFormat } = await import('../../src/core/format.js');
    const forged = opaqueFormat('acme').encode({
      id: info.id,
      secret: 'Z'.repeat(30),
      type: 'personal',
      tenant: 'acme',
      owner: 'analyst',
      issuedAt: 0,
      expiresAt: null,
    });
    expect(forged).not.toBe(token);
    expect(await codeOf(h.service.verify(forged))).toBe('token_invalid');
    // The same secret under another type code is refused too.
    const retyped = opaqueFormat('acme').encode({
      id: info.id,
      secret: token.slice(33, 63),
      type: 'administrative',
      tenant: 'acme',
      owner: null,
      issuedAt: 0,
      expiresAt: null,
    });
    expect(await codeOf(h.service.verify(retyped))).toBe('token_invalid');
  });

  it('fails closed with unavailable when the repository throws, and recovers', async () => {
    const probe = instrumented();
    const h = makeHarness({ repository: probe.repository });
    const { token } = await h.service.issue({}, ANALYST);
    probe.fail(true);
    expect(await codeOf(h.service.verify(token))).toBe('unavailable');
    expect(await codeOf(h.service.issue({}, ANALYST))).toBe('unavailable');
    probe.fail(false);
    await expect(h.service.verify(token)).resolves.toMatchObject({ owner: 'analyst' });
  });

  it('fails closed with unavailable when the directory throws', async () => {
    const h = makeHarness();
    const { token } = await h.service.issue({}, ANALYST);
    const broken = makeHarness({
      repository: h.repository,
      directory: {
        getUser: () => {
          throw new Error('ldap down');
        },
      },
    });
    expect(await codeOf(broken.service.verify(token))).toBe('unavailable');
  });

  it('reports expired, revoked and wrong-tenant tokens with their own codes', async () => {
    const h = makeHarness();
    const short = await h.service.issue({ ttl: '1h' }, ANALYST);
    const revoked = await h.service.issue({}, ANALYST);
    await h.service.revoke(revoked.info.id, ANALYST);
    expect(await codeOf(h.service.verify(revoked.token))).toBe('token_revoked');
    await expect(h.service.verify(short.token, { tenant: 'acme' })).resolves.toBeDefined();
    expect(await codeOf(h.service.verify(short.token, { tenant: 'globex' }))).toBe('token_invalid');
    h.clock.advance(3_600_000);
    expect(await codeOf(h.service.verify(short.token))).toBe('token_expired');
  });

  it('follows the owner live: a grant taken away, a user deactivated or removed', async () => {
    const h = makeHarness();
    const { token } = await h.service.issue({}, ANALYST);
    expect((await h.service.verify(token)).can({ scope: 'reports' })).toBe(true);
    h.users.acme!.analyst = { roles: ['service_accounts'], grants: [] };
    expect((await h.service.verify(token)).can({ scope: 'reports' })).toBe(false);
    h.users.acme!.analyst = { active: false };
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    delete h.users.acme!.analyst;
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
  });

  it('tracks last use without a repository write on every verification', async () => {
    const probe = instrumented();
    const h = makeHarness({ repository: probe.repository, touchInterval: '1m' });
    const { token, info } = await h.service.issue({}, ANALYST);
    probe.calls.length = 0;
    // The memory store writes uses in place (`touchSync`); either way, one write per interval.
    const writes = () => probe.calls.filter((call) => call === 'touch' || call === 'touchSync');
    for (let i = 0; i < 50; i++) await h.service.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes()).toHaveLength(1);
    expect((await h.service.get(info.id, ANALYST)).lastUsedAt?.getTime()).toBe(h.clock.now());
    h.clock.advance(30_000);
    for (let i = 0; i < 10; i++) await h.service.verify(token);
    expect(writes()).toHaveLength(1);
    h.clock.advance(31_000);
    await h.service.verify(token);
    await vi.waitFor(() => expect(writes()).toHaveLength(2));
  });

  it('does not fail a verification when the last-used write fails', async () => {
    const base = memoryRepository();
    const repository: TokenRepository = Object.assign(Object.create(base) as TokenRepository, {
      touch: vi.fn(() => Promise.reject(new Error('disk full'))),
    });
    const h = makeHarness({ repository });
    const { token } = await h.service.issue({}, ANALYST);
    await expect(h.service.verify(token)).resolves.toBeDefined();
  });
});

describe('verification tokens and personal-token modes (Database Lab Engine)', () => {
  const ENGINE_SECRET = 'engine-verification-token-0123456789';

  it('accepts a configured verification token with full access in its tenant', async () => {
    const h = makeHarness({ verificationTokens: [{ secret: ENGINE_SECRET, tenant: 'acme', name: 'engine' }] });
    const principal = await h.service.verify(ENGINE_SECRET);
    expect(principal).toMatchObject({
      type: 'verification',
      tenant: 'acme',
      owner: null,
      name: 'engine',
      grants: 'all',
    });
    expect(await codeOf(h.service.verify(`${ENGINE_SECRET}x`))).toBe('token_invalid');
    expect(await codeOf(h.service.verify(ENGINE_SECRET.slice(0, -1)))).toBe('token_invalid');
  });

  it('refuses verification tokens in personal-tokens-only mode', async () => {
    const h = makeHarness({ verificationTokens: [ENGINE_SECRET], personalTokensOnly: true });
    expect(await codeOf(h.service.verify(ENGINE_SECRET))).toBe('token_invalid');
  });

  it('refuses issued tokens when personal tokens are disabled, keeping the verification token', async () => {
    const h = makeHarness({ verificationTokens: [ENGINE_SECRET], enablePersonalTokens: false });
    const { token } = await h.service.issue({}, ANALYST);
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    await expect(h.service.verify(ENGINE_SECRET)).resolves.toMatchObject({ type: 'verification' });
  });

  it('refuses too short verification secrets at configuration time', () => {
    expect(() => makeHarness({ verificationTokens: ['short'] })).toThrow(TokenError);
  });
});

describe('the service never leaks secrets', () => {
  it('keeps the token string out of every error message and every stored record', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ name: 'leak-check' }, ANALYST);
    const secret = issued.token.slice(33, 63);
    const messages: string[] = [];
    for (const attempt of [
      h.service.verify(`${issued.token}x`),
      h.service.verify(issued.token, { tenant: 'globex' }),
      h.service.issue({ name: 'leak-check' }, ANALYST),
      h.service.get(issued.token as string, ANALYST),
    ]) {
      try {
        await attempt;
      } catch (error) {
        messages.push(String((error as Error).message), JSON.stringify(error));
      }
    }
    expect(messages.length).toBeGreaterThan(4);
    for (const message of messages) {
      expect(message).not.toContain(issued.token);
      expect(message).not.toContain(secret);
    }
    const stored = JSON.stringify(await h.repository.findById(issued.info.id));
    expect(stored).not.toContain(secret);
    expect(JSON.stringify(issued.info)).not.toContain(secret);
    expect(JSON.stringify(await h.service.list({}, ANALYST))).not.toContain(secret);
  });

  it('hashes with the pepper: the same secret under another pepper does not verify', async () => {
    const h = makeHarness();
    const { token } = await h.service.issue({}, ANALYST);
    const other = makeHarness({ repository: h.repository, pepper: 'another-pepper-0123456789abcdefghijklmnop' });
    expect(await codeOf(other.service.verify(token))).toBe('token_invalid');
  });

  it('rotates peppers without invalidating live tokens', async () => {
    const v1 = 'pepper-version-one-0123456789abcdefghij';
    const v2 = 'pepper-version-two-0123456789abcdefghij';
    const before = makeHarness({ pepper: { current: 1, peppers: { 1: v1 } } });
    const old = await before.service.issue({}, ANALYST);
    const after = makeHarness({ repository: before.repository, pepper: { current: 2, peppers: { 1: v1, 2: v2 } } });
    await expect(after.service.verify(old.token)).resolves.toBeDefined();
    const rotated = await after.service.rotate(old.info.id, ANALYST);
    expect((await after.repository.findById(old.info.id))?.pepperVersion).toBe(2);
    await expect(after.service.verify(rotated.token)).resolves.toBeDefined();
    // Once version 1 is dropped, only tokens hashed under version 2 remain valid.
    const dropped = makeHarness({ repository: before.repository, pepper: { current: 2, peppers: { 2: v2 } } });
    await expect(dropped.service.verify(rotated.token)).resolves.toBeDefined();
  });

  it('refuses a bad prefix with invalid_request', () => {
    for (const prefix of ['', 'ACME', 'ac_me', 'x'.repeat(21)]) {
      expect(() => makeHarness({ prefix })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });

  it('refuses a missing or short pepper', () => {
    expect(() => makeHarness({ pepper: 'short' })).toThrow(TokenError);
    expect(() => makeHarness({ pepper: undefined as unknown as string })).toThrow(TokenError);
    expect(() => makeHarness({ pepper: { current: 3, peppers: { 1: 'x'.repeat(40) } } })).toThrow(TokenError);
  });
});

describe('principals as actors', () => {
  it('refuses a hand-made principal object as an actor', async () => {
    const h = makeHarness();
    const { token } = await h.service.issue({}, ALICE);
    const real = await h.service.verify(token);
    const forged = { ...real, type: 'master' as const };
    expect(await codeOf(h.service.list({}, { principal: forged }))).toBe('forbidden');
    await expect(h.service.list({}, { principal: real })).resolves.toBeDefined();
    expect(BOB.user).toBe('bob');
  });
});
