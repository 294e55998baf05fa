/**
 * Keboola Connection's API tokens, on the token service: one master token per
 * project member, the only kind that creates tokens; limited tokens with
 * bucket and component grants; refresh; sending a token by link; token
 * events kept six months; expired tokens deleted (SPEC §2, §5; seed 004).
 *
 * A project is a tenant. Martin administers it; Petra is a member whose own
 * privileges are some buckets and the MySQL extractor; Jan may read one bucket.
 */
import { describe, expect, it } from 'vitest';
import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import type { Principal } from '../../src/core/principal-types.js';
import type { Grant, Need, TokenEventType } from '../../src/core/types.js';
import { makeHarness } from '../support/service.js';
import { codeOf, DAY, expectNoSecret, HOUR } from './support.js';

const PROJECT = 'kbc-1234';
const MARTIN = { tenant: PROJECT, user: 'martin@example.com' } as const;
const PETRA = { tenant: PROJECT, user: 'petra@example.com' } as const;
const JAN = { tenant: PROJECT, user: 'jan@example.com' } as const;

const PETRA_GRANTS: Grant[] = [
  { bucket: 'in.c-csv-import', access: 'write' },
  { bucket: 'out.c-main', access: 'read' },
  { component: 'keboola.ex-db-mysql' },
];

const CSV_WRITE: Need = { bucket: 'in.c-csv-import', access: 'write' };
const CSV_READ: Need = { bucket: 'in.c-csv-import', access: 'read' };
const MYSQL_RUN: Need = { component: 'keboola.ex-db-mysql', action: 'run' };
const MYSQL_CONFIGURE: Need = { component: 'keboola.ex-db-mysql', action: 'configure' };
const EVERY_NEED: Need[] = [
  CSV_READ,
  CSV_WRITE,
  { bucket: 'out.c-main', access: 'read' },
  { bucket: 'out.c-main', access: 'write' },
  MYSQL_RUN,
  MYSQL_CONFIGURE,
  { component: 'keboola.wr-db', action: 'run' },
  { scope: 'storage.tokens.create' },
];

/** A project with a mutable directory, so a test can take a grant away from Petra. */
function project() {
  const members: Record<string, Record<string, { admin?: boolean; grants?: Grant[] }>> = {
    [PROJECT]: {
      'martin@example.com': { admin: true },
      'petra@example.com': { grants: structuredClone(PETRA_GRANTS) },
      'jan@example.com': { grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
    },
  };
  const harness = makeHarness({ directory: staticDirectory(members as StaticDirectoryData) });
  return { ...harness, members };
}

/** Petra's master token, verified: the actor that creates her other tokens. */
async function petraMaster(
  service: ReturnType<typeof project>['service'],
): Promise<{ token: string; principal: Principal }> {
  const master = await service.ensureMasterToken(PETRA);
  if (!master.created) throw new Error('expected a new master token');
  return { token: master.token, principal: await service.verify(master.token) };
}

describe('Keboola: master tokens', () => {
  it('are created automatically once per member; the secret is shown only that first time', async () => {
    const { service } = project();
    const first = await service.ensureMasterToken(PETRA);
    expect(first.created).toBe(true);
    const again = await service.ensureMasterToken(PETRA);
    expect(again).toEqual({ created: false, info: expect.objectContaining({ id: first.info.id }) });
    expect('token' in again).toBe(false);
    // Its description is the member it belongs to.
    expect(first.info).toMatchObject({ type: 'master', owner: 'petra@example.com', comment: 'petra@example.com' });
  });

  it('exactly one exists even when 20 calls race for it', async () => {
    const { service } = project();
    const results = await Promise.all(Array.from({ length: 20 }, () => service.ensureMasterToken(MARTIN)));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.info.id)).size).toBe(1);
    const listed = await service.list({ types: ['master'] }, MARTIN);
    expect(listed.items).toHaveLength(1);
  });

  it('has access to everything and is the only kind of token that creates tokens', async () => {
    const { service } = project();
    const { principal } = await petraMaster(service);
    for (const need of EVERY_NEED) expect(principal.can(need)).toBe(true);
    const created = await service.issue({ type: 'limited', name: 'csv-import' }, { principal });
    expect(created.info).toMatchObject({
      type: 'limited',
      owner: 'petra@example.com',
      createdBy: `token:${principal.tokenId}`,
    });

    // A limited token cannot create tokens, nor can a personal one.
    const limited = await service.verify(created.token);
    expect(await codeOf(service.issue({ type: 'limited', name: 'child' }, { principal: limited }))).toBe('forbidden');
    const personal = await service.issue({ name: 'laptop' }, PETRA);
    const personalPrincipal = await service.verify(personal.token);
    expect(await codeOf(service.issue({ name: 'child' }, { principal: personalPrincipal }))).toBe('forbidden');
    expect((await service.list({}, PETRA)).items.map((info) => info.name).sort()).toEqual([
      'csv-import',
      'laptop',
      'master',
    ]);
  });

  it('cannot be modified, shared or deleted, by its owner or by an admin', async () => {
    const { service } = project();
    const master = await service.ensureMasterToken(PETRA);
    for (const actor of [PETRA, MARTIN]) {
      expect(await codeOf(service.updateComment(master.info.id, 'renamed', actor))).toBe('forbidden');
      expect(await codeOf(service.share(master.info.id, actor))).toBe('forbidden');
      expect(await codeOf(service.revoke(master.info.id, actor))).toBe('forbidden');
    }
    // Deleting all of a user's tokens leaves the master in place.
    expect(await service.revokeAll({ user: 'petra@example.com' }, MARTIN)).toBe(0);
    expect((await service.get(master.info.id, PETRA)).status).toBe('active');
  });

  it('can be refreshed: a new value, and the old one is invalid immediately', async () => {
    const { service } = project();
    const { token, principal } = await petraMaster(service);
    const refreshed = await service.rotate(principal.tokenId, PETRA);
    expect(refreshed.info.id).toBe(principal.tokenId);
    expect(await codeOf(service.verify(token))).toBe('token_invalid');
    expect((await service.verify(refreshed.token)).type).toBe('master');
  });

  it('is deleted only by removing the user from the project, with all their tokens', async () => {
    const { service, members } = project();
    const { token } = await petraMaster(service);
    const limited = await service.issue({ type: 'limited', grants: [CSV_READ] }, PETRA);
    // Only an administrator removes members.
    expect(await codeOf(service.removeUser({ user: 'petra@example.com' }, PETRA))).toBe('forbidden');
    expect(await service.removeUser({ user: 'petra@example.com' }, MARTIN)).toBe(2);
    expect(await codeOf(service.verify(token))).toBe('token_revoked');
    expect(await codeOf(service.verify(limited.token))).toBe('token_revoked');
    // Once she is gone from the project, no master token can be made for her.
    delete members[PROJECT]!['petra@example.com'];
    expect(await codeOf(service.ensureMasterToken(PETRA))).toBe('not_found');
  });
});

describe('Keboola: limited tokens', () => {
  it('give no access to anything by default', async () => {
    const { service } = project();
    const { principal } = await petraMaster(service);
    const { token, info } = await service.issue({ type: 'limited', name: 'nothing' }, { principal });
    expect(info.grants).toEqual([]);
    const limited = await service.verify(token);
    for (const need of EVERY_NEED) expect(limited.can(need)).toBe(false);
  });

  it('a token for the MySQL extractor writing into in.c-csv-import can do exactly that', async () => {
    const { service } = project();
    const { principal } = await petraMaster(service);
    const { token } = await service.issue(
      {
        type: 'limited',
        name: 'mysql-extraction',
        grants: [
          { component: 'keboola.ex-db-mysql', actions: ['run'] },
          { bucket: 'in.c-csv-import', access: 'write' },
        ],
      },
      { principal },
    );
    const limited = await service.verify(token);
    expect(EVERY_NEED.filter((need) => limited.can(need))).toEqual([CSV_READ, CSV_WRITE, MYSQL_RUN]);
    expect(() => limited.assert(MYSQL_CONFIGURE)).toThrow(expect.objectContaining({ code: 'insufficient_scope' }));

    // Without listed actions, a component grant lets the bearer also reconfigure it.
    const reconfigure = await service.issue(
      { type: 'limited', name: 'mysql-admin', grants: [{ component: 'keboola.ex-db-mysql' }] },
      { principal },
    );
    expect((await service.verify(reconfigure.token)).can(MYSQL_CONFIGURE)).toBe(true);
  });

  it('cannot carry more than its creator may do', async () => {
    const { service } = project();
    const { principal } = await petraMaster(service);
    // Petra may only read out.c-main, and has no other component.
    for (const grants of [[{ bucket: 'out.c-main', access: 'write' }], [{ component: 'keboola.wr-db' }]] as Grant[][]) {
      expect(await codeOf(service.issue({ type: 'limited', grants }, { principal }))).toBe('insufficient_scope');
    }
    expect((await service.list({ types: ['limited'] }, PETRA)).items).toEqual([]);
  });

  it('lose a grant the moment their owner loses it, and get it back with it', async () => {
    const { service, members } = project();
    const { principal } = await petraMaster(service);
    const { token } = await service.issue({ type: 'limited', grants: [CSV_WRITE] }, { principal });
    expect((await service.verify(token)).can(CSV_WRITE)).toBe(true);

    members[PROJECT]!['petra@example.com']!.grants = [{ bucket: 'in.c-csv-import', access: 'read' }];
    const narrowed = await service.verify(token);
    expect(narrowed.can(CSV_WRITE)).toBe(false);
    expect(narrowed.can(CSV_READ)).toBe(true);

    members[PROJECT]!['petra@example.com']!.grants = structuredClone(PETRA_GRANTS);
    expect((await service.verify(token)).can(CSV_WRITE)).toBe(true);
  });

  it('refresh keeps the token (id, name, grants, expiry) and invalidates the old value at once', async () => {
    const { service, clock } = project();
    const { principal } = await petraMaster(service);
    const issued = await service.issue(
      { type: 'limited', name: 'csv', ttl: '30d', grants: [CSV_WRITE] },
      { principal },
    );
    clock.advance(DAY);
    const refreshed = await service.rotate(issued.info.id, PETRA);
    expect(refreshed.info).toMatchObject({ id: issued.info.id, name: 'csv', grants: issued.info.grants });
    expect(refreshed.info.expiresAt).toEqual(issued.info.expiresAt);
    expect(await codeOf(service.verify(issued.token))).toBe('token_invalid');
    expect((await service.verify(refreshed.token)).can(CSV_WRITE)).toBe(true);
  });
});

describe('Keboola: sending a token', () => {
  it('sends a link to retrieve it, never the token; retrieving refreshes it and shows it once', async () => {
    const { service } = project();
    const { principal } = await petraMaster(service);
    const issued = await service.issue({ type: 'limited', name: 'for-jan', grants: [CSV_READ] }, { principal });
    const shared = await service.share(issued.info.id, PETRA);
    expect(shared.tokenId).toBe(issued.info.id);
    expectNoSecret(shared, issued.token);

    const claimed = await service.claim(shared.code);
    expect(claimed.info.id).toBe(issued.info.id);
    expect(claimed.token).not.toBe(issued.token);
    // The value Petra saw at creation is dead; the recipient's works with the same grants.
    expect(await codeOf(service.verify(issued.token))).toBe('token_invalid');
    const recipient = await service.verify(claimed.token);
    expect([recipient.can(CSV_READ), recipient.can(CSV_WRITE)]).toEqual([true, false]);

    // The link works once.
    expect(await codeOf(service.claim(shared.code))).toBe('not_found');
    expect((await service.verify(claimed.token)).tokenId).toBe(issued.info.id);
  });

  it('the link expires, and a deleted token cannot be retrieved', async () => {
    const { service, clock } = project();
    const { principal } = await petraMaster(service);
    const first = await service.issue({ type: 'limited', name: 'late' }, { principal });
    const late = await service.share(first.info.id, PETRA, { ttl: '1h' });
    clock.advance(2 * HOUR);
    expect(await codeOf(service.claim(late.code))).toBe('not_found');

    const second = await service.issue({ type: 'limited', name: 'deleted' }, { principal });
    const orphan = await service.share(second.info.id, PETRA);
    await service.revoke(second.info.id, PETRA);
    expect(['token_revoked', 'not_found']).toContain(await codeOf(service.claim(orphan.code)));
    expect(await codeOf(service.verify(second.token))).toBe('token_revoked');
  });
});

describe('Keboola: token events', () => {
  it('lists everything that happened to a token and everything done with it, newest first', async () => {
    const { service, clock } = project();
    const { principal } = await petraMaster(service);
    const issued = await service.issue({ type: 'limited', name: 'audited', grants: [CSV_WRITE] }, { principal });
    const step = async (): Promise<void> => clock.advance(HOUR);

    await step();
    await service.record(await service.verify(issued.token), 'storage.tables.import', {
      table: 'in.c-csv-import.orders',
    });
    await step();
    const refreshed = await service.rotate(issued.info.id, PETRA);
    await step();
    const shared = await service.share(issued.info.id, PETRA);
    await step();
    const claimed = await service.claim(shared.code);
    await step();
    await service.record(await service.verify(claimed.token), 'storage.tables.export');
    await step();
    await service.revoke(issued.info.id, PETRA);
    expect(refreshed.info.id).toBe(issued.info.id);

    const page = await service.events(issued.info.id, PETRA);
    expect(page.items.map((event) => [event.type, event.operation])).toEqual([
      ['revoked', 'revoked'],
      ['used', 'storage.tables.export'],
      ['claimed', 'claimed'],
      ['shared', 'shared'],
      ['rotated', 'rotated'],
      ['used', 'storage.tables.import'],
      ['issued', 'issued'],
    ] satisfies [TokenEventType, string][]);
    const times = page.items.map((event) => event.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.items.find((event) => event.operation === 'storage.tables.import')?.detail).toEqual({
      table: 'in.c-csv-import.orders',
    });
    // The history never holds a secret.
    expectNoSecret(page, issued.token);
    expectNoSecret(page, claimed.token);
    // Another member does not see them; the project's administrator does.
    expect(await codeOf(service.events(issued.info.id, JAN))).toBe('not_found');
    expect((await service.events(issued.info.id, MARTIN)).items).toHaveLength(7);
  });

  it('are kept for six months', async () => {
    const { service, clock } = project();
    const { principal } = await petraMaster(service);
    const { token, info } = await service.issue({ type: 'limited', name: 'old' }, { principal });
    clock.advance(100 * DAY);
    await service.record(await service.verify(token), 'storage.buckets.list');
    // Nothing is six months old yet.
    expect(await service.pruneEvents()).toBe(0);
    clock.advance(90 * DAY);
    // The issue event is now 190 days old; the use is 90 days old and stays.
    expect(await service.pruneEvents()).toBeGreaterThanOrEqual(1);
    const kept = await service.events(info.id, PETRA);
    expect(kept.items.map((event) => event.operation)).toEqual(['storage.buckets.list']);
  });
});

describe('Keboola: expired tokens', () => {
  it('stop working at expiry and are deleted automatically after the grace window', async () => {
    const { service, clock } = project();
    const { principal } = await petraMaster(service);
    const { token, info } = await service.issue({ type: 'limited', name: 'a-day', ttl: '1d' }, { principal });
    const keep = await service.issue({ type: 'limited', name: 'a-year', ttl: '365d' }, { principal });
    clock.advance(2 * DAY);
    expect(await codeOf(service.verify(token))).toBe('token_expired');
    // Still visible as expired for a while, so its owner can see what happened.
    expect(await service.purgeExpired()).toBe(0);
    expect((await service.get(info.id, PETRA)).status).toBe('expired');
    clock.advance(30 * DAY);
    expect(await service.purgeExpired()).toBe(1);
    expect(await codeOf(service.get(info.id, PETRA))).toBe('not_found');
    expect(await codeOf(service.verify(token))).toBe('token_invalid');
    expect((await service.verify(keep.token)).name).toBe('a-year');
  });
});
