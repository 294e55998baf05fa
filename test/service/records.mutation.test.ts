/**
 * Events, master tokens and revoking a user's tokens against written
 * answers (issue 15): what `record` stores and refuses at its size bounds,
 * event pages, the master token's fields, and the reason each bulk
 * revocation records.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

describe('record', () => {
  it('stores the operation and detail as a used event of the token, by the token', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, BOB);
    const principal = await h.service.verify(issued.token);
    await h.service.record(principal, 'o'.repeat(200));
    await h.service.record(principal, 'GET /x', { n: 1 });
    const [second, first] = (await h.service.events(issued.info.id, BOB)).items;
    expect(first).toMatchObject({
      type: 'used',
      actor: `token:${issued.info.id}`,
      operation: 'o'.repeat(200),
      detail: null,
    });
    expect(second).toMatchObject({ type: 'used', operation: 'GET /x', detail: { n: 1 } });
  });

  it('accepts a detail of exactly 4096 bytes and refuses one more', async () => {
    const h = makeHarness();
    const principal = await h.service.verify((await h.service.issue({}, BOB)).token);
    // {"d":"…"} is 8 bytes around the value.
    await expect(h.service.record(principal, 'op', { d: 'x'.repeat(4088) })).resolves.toBeUndefined();
    expect(await rejectionOf(h.service.record(principal, 'op', { d: 'x'.repeat(4089) }))).toEqual({
      code: 'invalid_request',
      field: 'detail',
    });
  });

  it.each([
    ['a 201-character operation', 'o'.repeat(201), 'operation'],
    ['an empty operation', '', 'operation'],
    ['a numeric operation', 7, 'operation'],
  ])('refuses %s naming %s', async (_label, operation, field) => {
    const h = makeHarness();
    const principal = await h.service.verify((await h.service.issue({}, BOB)).token);
    expect(await rejectionOf(h.service.record(principal, operation as string))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it.each([
    ['null', () => null],
    ['a string', () => 'principal'],
    ['a copy of a real one', (real: Principal) => ({ ...real })],
    ['one of another service', (_real: Principal, other: Principal) => other],
  ])('refuses %s as the principal', async (_label, pick) => {
    const h = makeHarness();
    const other = makeHarness();
    const real = await h.service.verify((await h.service.issue({}, BOB)).token);
    const foreign = await other.service.verify((await other.service.issue({}, BOB)).token);
    const principal = pick(real, foreign) as Principal;
    expect(await rejectionOf(h.service.record(principal, 'op'))).toEqual({
      code: 'invalid_request',
      field: 'principal',
    });
  });

  it('appends nothing for a verification token, which has no history', async () => {
    const base = memoryRepository();
    const appended: unknown[] = [];
    const repository: TokenRepository = {
      ...base,
      appendEvent: async (event) => {
        appended.push(event);
        return base.appendEvent(event);
      },
    };
    const secret = 'verification-secret-0123456789';
    const h = makeHarness({ repository, verificationTokens: [{ secret, tenant: 'acme' }] });
    await h.service.record(await h.service.verify(secret), 'op', { a: 1 });
    expect(appended).toEqual([]);
    await h.service.record(await h.service.verify((await h.service.issue({}, BOB)).token), 'op');
    expect(appended).toHaveLength(1);
  });
});

describe('events', () => {
  it('pages newest first', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, BOB);
    await h.service.updateComment(issued.info.id, 'a', BOB);
    const first = await h.service.events(issued.info.id, BOB, { limit: 1 });
    expect(first.items.map((event) => event.type)).toEqual(['comment_updated']);
    expect(first.nextCursor).not.toBeNull();
    const rest = await h.service.events(issued.info.id, BOB, { limit: 1, cursor: first.nextCursor });
    expect(rest.items.map((event) => event.type)).toEqual(['issued']);
    expect(await rejectionOf(h.service.events(issued.info.id, BOB, { limit: 0 }))).toEqual({
      code: 'invalid_request',
      field: 'options.limit',
    });
    expect(await rejectionOf(h.service.events(issued.info.id, BOB, { since: 1 } as never))).toEqual({
      code: 'invalid_request',
      field: 'options.since',
    });
  });
});

describe('ensureMasterToken', () => {
  it('makes one master token per user, without expiry or narrowing, by the system', async () => {
    const h = makeHarness();
    const made = await h.service.ensureMasterToken(ANALYST);
    expect(made.created).toBe(true);
    expect(made.info).toMatchObject({
      type: 'master',
      tenant: 'acme',
      owner: 'analyst',
      name: 'master',
      comment: 'analyst',
      grants: null,
      expiresAt: null,
      createdBy: 'system',
    });
    const again = await h.service.ensureMasterToken(ANALYST);
    expect(again).toEqual({ created: false, info: made.info });
    const [issued] = (await h.service.events(made.info.id, ANALYST)).items;
    expect(issued).toMatchObject({ type: 'issued', actor: 'system', detail: { type: 'master' } });
  });

  it('refuses unknown users and malformed targets', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.ensureMasterToken({ tenant: 'acme', user: 'nobody' }))).toBe('not_found');
    expect(await codeOf(h.service.ensureMasterToken({ tenant: 'acme', user: 'gone' }))).toBe('not_found');
    expect(await rejectionOf(h.service.ensureMasterToken({ tenant: 42, user: 'analyst' } as never))).toEqual({
      code: 'invalid_request',
      field: 'target.tenant',
    });
    expect(await rejectionOf(h.service.ensureMasterToken({ tenant: 'acme', user: 'analyst', x: 1 } as never))).toEqual({
      code: 'invalid_request',
      field: 'target.x',
    });
  });
});

describe('revokeAll and removeUser', () => {
  it('record why, and answer how many tokens they revoked', async () => {
    const h = makeHarness();
    const one = await h.service.issue({ name: 'one' }, BOB);
    await h.service.issue({ name: 'two' }, BOB);
    const master = await h.service.ensureMasterToken(BOB);
    expect(await h.service.revokeAll({ tenant: 'acme', user: 'bob' }, BOB)).toBe(2);
    const [revoked] = (await h.service.events(one.info.id, ALICE)).items;
    expect(revoked).toMatchObject({ type: 'revoked', actor: 'user:bob', detail: { reason: 'revoke_all' } });
    expect(await h.service.removeUser({ tenant: 'acme', user: 'bob' }, ALICE)).toBe(1);
    const [removed] = (await h.service.events(master.info.id, ALICE)).items;
    expect(removed).toMatchObject({ type: 'revoked', actor: 'user:alice', detail: { reason: 'user_removed' } });
  });

  it('a user may revoke only their own tokens, and remove nobody', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.revokeAll({ tenant: 'acme', user: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.removeUser({ tenant: 'acme', user: 'bob' }, BOB))).toBe('forbidden');
    expect(await h.service.revokeAll({ tenant: 'acme', user: 'analyst' }, ALICE)).toBe(0);
    expect(await rejectionOf(h.service.revokeAll({ tenant: 'acme', user: 5 } as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'target.user',
    });
  });
});
