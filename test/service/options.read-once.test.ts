/**
 * The service's options are read once, own properties only (review of the
 * options snapshot): every nested list and object — verification tokens and
 * their fields, the pepper set's peppers, legacy prefixes, expiry warnings —
 * is copied when the service is built, a getter or proxy that throws there is
 * refused naming its field with the thrown error as `cause`, and a key
 * planted on `Object.prototype` is no option.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenHooks, TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { causedRefusalOf } from '../support/refusal.js';
import { TEST_PEPPER } from '../support/service.js';

const failure = new Error('getter failed');
const LONG = 'a-long-valid-engine-secret-0123456789';

function service(extra: Partial<TokenServiceOptions> = {}) {
  return createTokenService({
    repository: memoryRepository(),
    pepper: TEST_PEPPER,
    directory: staticDirectory({ acme: { bob: { grants: [] } } }),
    ...extra,
  });
}

/** How building the service was refused: code, field and cause. */
function refused(extra: Record<string, unknown>) {
  return causedRefusalOf(() => service(extra as Partial<TokenServiceOptions>));
}
const expected = (field: string) => ({ code: 'invalid_request', field, cause: failure });

/** An object whose `key` is a getter that throws `failure`. */
function throwingAt(key: string, rest: object = {}): object {
  return Object.defineProperty({ ...rest }, key, {
    enumerable: true,
    get() {
      throw failure;
    },
  });
}

/** A list whose element `index` is a getter that throws. */
function listThrowingAt(values: unknown[], index: number): unknown[] {
  return Object.defineProperty([...values], String(index), {
    enumerable: true,
    get() {
      throw failure;
    },
  });
}

/** A proxy of `target` whose every read throws. */
const throwingProxy = (target: object) =>
  new Proxy(target, {
    get() {
      throw failure;
    },
  });

describe('a verification token secret is read once, and that one reading is checked and hashed', () => {
  it('a getter answering a long secret to the checks and a short one later gets no short token accepted', async () => {
    let reads = 0;
    const entry = {
      tenant: 'acme',
      get secret() {
        reads += 1;
        return reads === 1 ? LONG : 'x';
      },
    };
    const tokens = service({ verificationTokens: [entry], directory: staticDirectory({ acme: {} }) });
    expect(reads).toBe(1);
    await expect(tokens.verify('x')).rejects.toMatchObject({ code: 'token_invalid' });
    expect((await tokens.verify(LONG)).tenant).toBe('acme');
  });

  it('the list itself is read once: a later change to it or to an entry changes nothing', async () => {
    const entry = { secret: LONG, tenant: 'acme' };
    const list: unknown[] = [entry];
    const tokens = service({ verificationTokens: list as never, directory: staticDirectory({ acme: {}, other: {} }) });
    entry.tenant = 'other';
    list.push('y'.repeat(20));
    expect((await tokens.verify(LONG)).tenant).toBe('acme');
    await expect(tokens.verify('y'.repeat(20))).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('the legacy-prefix checks see the same secret as the hash (no second reading)', () => {
    let reads = 0;
    const entry = {
      get secret() {
        reads += 1;
        return reads === 1 ? 'legacy_0123456789abcdef' : LONG;
      },
    };
    expect(refused({ verificationTokens: [entry], legacyPrefixes: ['legacy_'] }).field).toBe('verificationTokens[0]');
    expect(reads).toBe(1);
  });
});

describe('a nested option whose reading throws is refused naming it, with the thrown error as cause', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a pepper of the set', { pepper: { current: 1, peppers: throwingAt('1') } }, 'pepper.peppers.1'],
    ['a verification token entry', { verificationTokens: listThrowingAt([LONG], 0) }, 'verificationTokens[0]'],
    ['a verification token secret', { verificationTokens: [throwingAt('secret')] }, 'verificationTokens[0].secret'],
    [
      'a verification token tenant',
      { verificationTokens: [throwingAt('tenant', { secret: LONG })] },
      'verificationTokens[0].tenant',
    ],
    [
      'a verification token name',
      { verificationTokens: [throwingAt('name', { secret: LONG })] },
      'verificationTokens[0].name',
    ],
    ['legacyPrefixes as a proxy', { legacyPrefixes: throwingProxy(['sk_live_']) }, 'legacyPrefixes'],
    ['a legacy prefix', { legacyPrefixes: listThrowingAt(['sk_live_'], 0) }, 'legacyPrefixes[0]'],
    ['verificationTokens as a proxy', { verificationTokens: throwingProxy([LONG]) }, 'verificationTokens'],
    ['an expiry warning', { expiryWarnings: listThrowingAt(['1d'], 0) }, 'expiryWarnings[0]'],
    ['expiryWarnings as a proxy', { expiryWarnings: throwingProxy(['1d']) }, 'expiryWarnings'],
  ])('%s', (_what, extra, field) => {
    expect(refused(extra)).toEqual(expected(field));
  });

  it('a revoked proxy as a list is refused, not a TypeError', () => {
    const { proxy, revoke } = Proxy.revocable([LONG], {});
    revoke();
    expect(refused({ verificationTokens: proxy }).field).toBe('verificationTokens');
  });

  it('an over-long list is refused before its elements are read', () => {
    const list = new Proxy(['1d'], {
      get(target, key) {
        if (key === 'length') return 2 ** 31;
        if (key !== '0') return Reflect.get(target, key);
        throw failure;
      },
    });
    expect(refused({ expiryWarnings: list })).toMatchObject({ field: 'expiryWarnings', cause: undefined });
  });

  it('a hole in a verification token list is a missing entry', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    expect(refused({ verificationTokens: [LONG, , 'z'.repeat(20)] }).field).toBe('verificationTokens[1]');
  });
});

describe('options are own properties: an inherited key is absent', () => {
  const planted = ['onIssued', 'onVerificationFailed', 'maxTtl', 'tenant', 'name'] as const;
  afterEach(() => {
    for (const key of planted) delete (Object.prototype as Record<string, unknown>)[key];
  });
  const plant = (key: (typeof planted)[number], value: unknown) => {
    Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
  };

  it('hooks planted on Object.prototype are not called', async () => {
    const heard: string[] = [];
    plant('onIssued', () => heard.push('onIssued'));
    plant('onVerificationFailed', () => heard.push('onVerificationFailed'));
    const tokens = service({ hooks: {} });
    await tokens.issue({ name: 'x', ttl: '1d' }, { tenant: 'acme', user: 'bob' });
    await tokens.verify('tw_p_nonsense').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toEqual([]);
  });

  it('a policy, verification token tenant or name planted on Object.prototype is not taken', async () => {
    plant('maxTtl', '1h');
    plant('tenant', 'other');
    plant('name', 'planted');
    const tokens = service({ policy: {}, verificationTokens: [{ secret: LONG }] });
    const { info } = await tokens.issue({ name: 'y', ttl: '30d' }, { tenant: 'acme', user: 'bob' });
    expect(info.expiresAt!.getTime() - info.createdAt.getTime()).toBe(30 * 86_400_000);
    expect(await tokens.verify(LONG)).toMatchObject({ tenant: 'default', name: 'verification' });
  });

  it('a class instance as hooks is refused naming the inherited hook, not silently ignored', () => {
    class Hooks {
      onIssued(): void {}
    }
    expect(refused({ hooks: new Hooks() })).toMatchObject({ code: 'invalid_request', field: 'hooks.onIssued' });
  });

  it('class-instance stores, directories and formats still work: their methods are read through the prototype', async () => {
    const inner = memoryRepository();
    class Repository {}
    for (const [key, value] of Object.entries(inner)) {
      Object.defineProperty(Repository.prototype, key, {
        value: (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(...args),
      });
    }
    const tokens = service({ repository: new Repository() as never });
    const { token } = await tokens.issue({ name: 'z', ttl: '1d' }, { tenant: 'acme', user: 'bob' });
    expect((await tokens.verify(token)).owner).toBe('bob');
  });

  it('own hooks given on a plain object are called', async () => {
    const heard: string[] = [];
    const hooks: TokenHooks = { onIssued: () => void heard.push('onIssued') };
    await service({ hooks }).issue({ name: 'w', ttl: '1d' }, { tenant: 'acme', user: 'bob' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toEqual(['onIssued']);
  });
});
