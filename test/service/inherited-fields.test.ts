/**
 * Prototype pollution planted after the service is built (review s22,
 * findings 1 and 7): a directory user's fields (`admin`, `grants`, `roles`,
 * `active`) and an actor's keys (`tenant`, `user`, `principal`) count only
 * as the object's own properties. Each test plants a key on
 * `Object.prototype` and removes it in `afterEach`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ownAnswer } from '../../src/core/directory.js';
import { createTokenService, type Directory, memoryRepository, staticDirectory } from '../../src/index.js';

const planted: string[] = [];

/** Sets `Object.prototype[key]` for this test only (removed in `afterEach`). */
function pollute(key: string, value: unknown): void {
  planted.push(key);
  Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true, enumerable: false });
}

afterEach(() => {
  for (const key of planted.splice(0)) delete (Object.prototype as Record<string, unknown>)[key];
});

const readB1 = { bucket: 'b1', access: 'read' } as const;

function service(
  directory: Directory = staticDirectory({ acme: { alice: { admin: true }, bob: { grants: [readB1] }, carol: {} } }),
) {
  return createTokenService({
    repository: memoryRepository(),
    pepper: 'p'.repeat(40),
    prefix: 'acme',
    directory,
    policy: { defaultTtl: '30d', maxTtl: '30d', allowNoExpiry: false, creation: 'users' },
  });
}

const bob = { tenant: 'acme', user: 'bob' };

describe('a directory user is read by own properties only', () => {
  it('an inherited admin makes nobody an administrator, on issue or later', async () => {
    const tokens = service();
    const before = await tokens.issue({ name: 'before' }, bob);
    pollute('admin', true);
    await expect(tokens.issue({ name: 'adm', type: 'administrative' }, bob)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      tokens.issue({ name: 'wide', grants: [{ bucket: 'secret', access: 'write' }] }, bob),
    ).rejects.toMatchObject({ code: 'insufficient_scope' });
    const principal = await tokens.verify(before.token);
    expect(principal.ownerIsAdmin).toBe(false);
    expect(principal.can({ bucket: 'secret', access: 'write' })).toBe(false);
    expect(principal.can(readB1)).toBe(true);
    // A real admin stays one.
    const admin = await tokens.issue({ name: 'adm', type: 'administrative' }, { tenant: 'acme', user: 'alice' });
    expect(admin.info.type).toBe('administrative');
  });

  it('inherited grants give a user without grants nothing', async () => {
    const tokens = service();
    const carol = { tenant: 'acme', user: 'carol' };
    const own = await tokens.issue({ name: 'own' }, carol);
    pollute('grants', 'all');
    await expect(tokens.issue({ name: 'g', grants: [readB1] }, carol)).rejects.toMatchObject({
      code: 'insufficient_scope',
    });
    expect((await tokens.verify(own.token)).can(readB1)).toBe(false);
  });

  it('an inherited active: false disables nobody', async () => {
    const tokens = service();
    const own = await tokens.issue({ name: 'own' }, bob);
    pollute('active', false);
    expect((await tokens.verify(own.token)).can(readB1)).toBe(true);
    await expect(tokens.issue({ name: 'again' }, bob)).resolves.toBeDefined();
  });

  it('inherited roles choose no role policy', async () => {
    const tokens = service();
    await tokens.setMaxTtl({ tenant: 'acme', role: 'interns' }, '1d', 'system');
    pollute('roles', ['interns']);
    const explained = await tokens.explainMaxTtl(bob);
    expect(explained.applicable).toEqual([]);
    expect(explained.source).toEqual({ kind: 'system' });
  });

  it('a custom directory answering plain objects is read the same way', async () => {
    const tokens = service({ getUser: async (_tenant, user) => (user === 'bob' ? { grants: [readB1] } : null) });
    pollute('admin', true);
    await expect(tokens.issue({ name: 'adm', type: 'administrative' }, bob)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('an actor is read by own properties only', () => {
  it('an inherited user does not complete an actor', async () => {
    const tokens = service();
    pollute('user', 'alice');
    await expect(
      tokens.issue({ name: 'b', type: 'administrative' }, { tenant: 'acme' } as never),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'actor.user' } });
  });

  it('an inherited tenant does not complete an actor', async () => {
    const tokens = service();
    pollute('tenant', 'acme');
    await expect(tokens.issue({ name: 'b' }, { user: 'bob' } as never)).rejects.toMatchObject({
      code: 'invalid_request',
      details: { field: 'actor.tenant' },
    });
  });

  it('an inherited principal does not turn user actors into principals', async () => {
    const tokens = service();
    pollute('principal', { forged: true });
    await expect(tokens.issue({ name: 'c' }, bob)).resolves.toBeDefined();
  });
});

describe('ownAnswer', () => {
  it('keeps a clean answer as it is and copies one with an inherited field to own fields', () => {
    const clean = { grants: [readB1] };
    expect(ownAnswer(clean)).toBe(clean);
    pollute('admin', true);
    const copied = ownAnswer(clean);
    expect(copied).not.toBe(clean);
    expect(Object.hasOwn(copied, 'admin') && copied.admin).toBe(false);
    expect(copied.grants).toBe(clean.grants);
    expect(ownAnswer({ admin: true })).toEqual({ admin: true });
  });
});
