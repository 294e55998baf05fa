/**
 * `issue` against written answers (issue 15): each refused input names its
 * field, the record and event it writes carry exactly the expected values,
 * and the per-user cap counts only tokens with an owner.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const DAY = 86_400_000;

describe('issue refuses, naming the field', () => {
  it.each([
    ['a numeric tenant', { tenant: 42 }, ALICE, 'tenant'],
    ['a master token', { type: 'master' }, ALICE, 'type'],
    ['an unknown type', { type: 'session' }, ALICE, 'type'],
    ['an owner on an administrative token', { type: 'administrative', owner: 'bob' }, ALICE, 'owner'],
    ['a numeric owner', { owner: 7 }, ALICE, 'owner'],
    ['the reserved name', { name: 'master' }, BOB, 'name'],
    ['a 101-character name', { name: 'n'.repeat(101) }, BOB, 'name'],
    ['a 1001-character comment', { comment: 'c'.repeat(1001) }, BOB, 'comment'],
    ['a bad ttl', { ttl: '30 days' }, BOB, 'ttl'],
    ['a grant item that is a string', { grants: ['scope:reports'] }, BOB, 'grants[0]'],
    ['an unknown key', { expiresIn: '1d' }, BOB, 'input.expiresIn'],
    ['no owner when the system acts', { tenant: 'acme' }, 'system', 'owner'],
  ])('%s', async (_label, input, actor, field) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.issue(input as never, actor as never))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it('grants beyond the creator or the owner are insufficient_scope naming grants', async () => {
    const h = makeHarness();
    expect(
      await rejectionOf(h.service.issue({ grants: [{ bucket: 'in.c-csv-import', access: 'write' }] }, BOB)),
    ).toEqual({
      code: 'insufficient_scope',
      field: 'grants',
    });
    // An admin creating for bob is bounded by bob too.
    expect(await rejectionOf(h.service.issue({ owner: 'bob', grants: [{ scope: 'reports' }] }, ALICE))).toEqual({
      code: 'insufficient_scope',
      field: 'grants',
    });
  });

  it('the system must name a tenant', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.issue({ owner: 'bob' }, 'system'))).toEqual({
      code: 'invalid_request',
      field: 'tenant',
    });
  });
});

describe('what issue writes', () => {
  it('a personal token: the fields given, the expiry from the ttl, an issued event with type and ttl', async () => {
    const h = makeHarness();
    const issued = await h.service.issue(
      { name: 'etl', comment: 'nightly', ttl: '30d', grants: [{ scope: 'reports' }] },
      ANALYST,
    );
    const at = h.clock.now();
    expect(issued.info).toMatchObject({
      type: 'personal',
      tenant: 'acme',
      owner: 'analyst',
      name: 'etl',
      comment: 'nightly',
      grants: [{ scope: 'reports' }],
      createdBy: 'user:analyst',
    });
    expect(issued.info.createdAt.getTime()).toBe(at);
    expect(issued.info.expiresAt?.getTime()).toBe(at + 30 * DAY);
    const [event] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(event).toMatchObject({ type: 'issued', actor: 'user:analyst', detail: { type: 'personal', ttl: '1mo' } });
  });

  it('defaults: a generated name, an empty comment, no narrowing, the default lifetime', async () => {
    const h = makeHarness({ policy: { defaultTtl: '90d' } });
    const issued = await h.service.issue({}, BOB);
    expect(issued.info.name).toMatch(/^token-[0-9a-z]{10}$/);
    expect(issued.info).toMatchObject({ comment: '', grants: null });
    expect(issued.info.expiresAt?.getTime()).toBe(h.clock.now() + 90 * DAY);
  });

  it('a limited token without grants grants nothing; an administrative one has no owner', async () => {
    const h = makeHarness();
    expect((await h.service.issue({ type: 'limited' }, BOB)).info.grants).toEqual([]);
    const admin = await h.service.issue({ type: 'administrative', name: 'ops' }, ALICE);
    expect(admin.info).toMatchObject({ type: 'administrative', owner: null, grants: null });
    expect(await codeOf(h.service.issue({ type: 'administrative' }, BOB))).toBe('forbidden');
  });

  it('without expiry where allowed: a null expiry and a null ttl in the event', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    const issued = await h.service.issue({ ttl: null }, BOB);
    expect(issued.info.expiresAt).toBeNull();
    const [event] = (await h.service.events(issued.info.id, BOB)).items;
    expect(event?.detail).toEqual({ type: 'personal', ttl: null });
  });

  it('the per-user cap counts live tokens of that owner, and not administrative ones', async () => {
    const h = makeHarness({ policy: { maxTokensPerUser: 1 } });
    await h.service.issue({ name: 'one' }, BOB);
    expect(await codeOf(h.service.issue({ name: 'two' }, BOB))).toBe('limit_exceeded');
    await h.service.issue({ type: 'administrative', name: 'a1' }, ALICE);
    await expect(h.service.issue({ type: 'administrative', name: 'a2' }, ALICE)).resolves.toBeDefined();
  });

  it('in admins-only mode users may not create tokens, admins may', async () => {
    const h = makeHarness({ policy: { creation: 'admins' } });
    expect(await codeOf(h.service.issue({}, BOB))).toBe('forbidden');
    await expect(h.service.issue({ owner: 'bob' }, ALICE)).resolves.toBeDefined();
  });

  it('only administrators create tokens for other users; unknown owners are not_found', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.issue({ owner: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.issue({ owner: 'nobody' }, ALICE))).toBe('not_found');
    expect(await codeOf(h.service.issue({ owner: 'gone' }, ALICE))).toBe('not_found');
  });
});
