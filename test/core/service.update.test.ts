/**
 * `update` (issue 13): each field in place, under the actor × call table
 * (comment column; rotate column to widen), the grant ceiling and the
 * duration policy, one event per change; enable/disable and `meta` as the
 * principal and token actors see them. Runs on the memory and SQLite stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenError } from '../../src/core/errors.js';
import { normalizeGrants } from '../../src/core/grants.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-update-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES: readonly [string, () => TokenRepository][] = [
  ['memory', () => memoryRepository()],
  ['SQLite', () => sqliteRepository({ path: join(dir, `update-${++files}.sqlite`) })],
];

describe.each(STORES)('update on %s', (_name, store) => {
  const harness = (overrides = {}) => makeHarness({ repository: store(), ...overrides });

  it('changes name, comment, meta and enabled in place, one `updated` event naming them', async () => {
    const h = harness();
    const issued = await h.service.issue({ name: 'etl', comment: 'old' }, ANALYST);
    h.clock.advance(1000);
    const info = await h.service.update(
      issued.info.id,
      { name: 'etl-nightly', comment: 'nightly load', meta: { customer: 'cus_1', seats: 3 }, enabled: false },
      ANALYST,
    );
    expect(info).toMatchObject({
      id: issued.info.id,
      name: 'etl-nightly',
      comment: 'nightly load',
      meta: { customer: 'cus_1', seats: 3 },
      enabled: false,
    });
    expect(await h.service.get({ owner: 'analyst', name: 'etl-nightly' }, ANALYST)).toEqual(info);
    const [event] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(event).toMatchObject({
      type: 'updated',
      actor: 'user:analyst',
      detail: { fields: ['name', 'comment', 'meta', 'enabled'], name: 'etl-nightly', enabled: false },
    });
    // Nothing changes, nothing is written.
    const again = await h.service.update(issued.info.id, { comment: 'nightly load' }, ANALYST);
    expect(again).toEqual(info);
    expect((await h.service.events(issued.info.id, ANALYST)).items).toHaveLength(2);
    // The comment alone is recorded as updateComment records it (the page edits comments through PATCH).
    await h.service.update(issued.info.id, { comment: 'weekly load' }, ANALYST);
    const [commented] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(commented).toMatchObject({ type: 'comment_updated', actor: 'user:analyst', detail: null });
  });

  it('a disabled token fails with token_disabled (its sessions and its actor too) until enabled again', async () => {
    const h = harness();
    const issued = await h.service.issue({ meta: { app: 'billing' } }, ANALYST);
    const principal = await h.service.verify(issued.token);
    expect(principal.meta).toEqual({ app: 'billing' });
    await h.service.update(issued.info.id, { enabled: false }, ANALYST);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_disabled');
    expect(await codeOf(h.service.get(issued.info.id, { principal }))).toBe('token_disabled');
    await h.service.update(issued.info.id, { enabled: true }, ANALYST);
    expect((await h.service.verify(issued.token)).meta).toEqual({ app: 'billing' });
    const off = await h.service.issue({ enabled: false }, ANALYST);
    expect(off.info.enabled).toBe(false);
    expect(await codeOf(h.service.verify(off.token))).toBe('token_disabled');
    // A revoked or expired token answers that first.
    await h.service.revoke(off.info.id, ANALYST);
    expect(await codeOf(h.service.verify(off.token))).toBe('token_revoked');
  });

  it('sets a new lifetime from now, within the effective maximum; extending an expired token is a conflict', async () => {
    const h = harness();
    await h.service.setMaxTtl({ user: 'analyst' }, '30d', ALICE);
    const issued = await h.service.issue({ ttl: '1d' }, ANALYST);
    h.clock.advance(DAY / 2);
    const longer = await h.service.update(issued.info.id, { ttl: '1mo' }, ANALYST);
    expect(longer.expiresAt?.getTime()).toBe(h.clock.now() + 30 * DAY);
    const refused = await h.service.update(issued.info.id, { ttl: '31d' }, ANALYST).catch((error) => error);
    expect(refused).toMatchObject({ code: 'duration_exceeds_policy', details: { limit: 30 * DAY } });
    expect(await codeOf(h.service.update(issued.info.id, { ttl: null }, ANALYST))).toBe('duration_exceeds_policy');
    h.clock.advance(31 * DAY);
    expect(await codeOf(h.service.update(issued.info.id, { ttl: '1d' }, ANALYST))).toBe('conflict');
    // An expired token may still be renamed or commented.
    expect(await h.service.update(issued.info.id, { comment: 'expired' }, ANALYST)).toMatchObject({
      status: 'expired',
    });
  });

  it('keeps grants within the actor and the owner; a limited token keeps a list', async () => {
    const h = harness();
    const limited = await h.service.issue({ type: 'limited', grants: [{ scope: 'reports' }] }, ANALYST);
    const grants = normalizeGrants([{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'read' }]);
    expect((await h.service.update(limited.info.id, { grants }, ANALYST)).grants).toEqual(grants);
    const beyond = [{ scope: 'admin_console' }];
    expect(await codeOf(h.service.update(limited.info.id, { grants: beyond }, ANALYST))).toBe('insufficient_scope');
    // An admin acting for the analyst may not give the token more than the analyst has.
    expect(await codeOf(h.service.update(limited.info.id, { grants: beyond }, ALICE))).toBe('insufficient_scope');
    const error = (await h.service.update(limited.info.id, { grants: null }, ANALYST).catch((e) => e)) as TokenError;
    expect([error.code, error.details.field]).toEqual(['invalid_request', 'patch.grants']);
    expect(await h.service.verify(limited.token)).toMatchObject({ grants: grants });
  });

  it('refuses a name another unrevoked token of the owner holds, master tokens, revoked tokens and bad patches', async () => {
    const h = harness();
    const one = await h.service.issue({ name: 'one' }, ANALYST);
    await h.service.issue({ name: 'two' }, ANALYST);
    expect(await codeOf(h.service.update(one.info.id, { name: 'two' }, ANALYST))).toBe('conflict');
    expect(await codeOf(h.service.update(one.info.id, { name: 'master' }, ANALYST))).toBe('invalid_request');
    const master = await h.service.ensureMasterToken(ANALYST);
    expect(await codeOf(h.service.update(master.info.id, { comment: 'x' }, ANALYST))).toBe('forbidden');
    for (const patch of [
      {},
      { colour: 'red' },
      { enabled: 'no' },
      { meta: [1] },
      { meta: { big: 'x'.repeat(5000) } },
    ]) {
      expect(await codeOf(h.service.update(one.info.id, patch as never, ANALYST))).toBe('invalid_request');
    }
    expect(await codeOf(h.service.update(one.info.id, { comment: 'x' }, BOB))).toBe('not_found');
    await h.service.revoke(one.info.id, ANALYST);
    expect(await codeOf(h.service.update(one.info.id, { comment: 'x' }, ANALYST))).toBe('conflict');
    expect(await h.repository.findById(one.info.id)).toMatchObject({ name: 'one', comment: '' });
  });

  it('concurrent updates of different fields all land', async () => {
    const h = harness();
    const issued = await h.service.issue({}, ANALYST);
    await Promise.all([
      h.service.update(issued.info.id, { comment: 'c' }, ANALYST),
      h.service.update(issued.info.id, { meta: { m: 1 } }, ANALYST),
      h.service.update(issued.info.id, { name: 'renamed' }, ANALYST),
    ]);
    expect(await h.service.get(issued.info.id, ANALYST)).toMatchObject({
      comment: 'c',
      meta: { m: 1 },
      name: 'renamed',
    });
  });
});

describe('update through a token: the comment column, and the rotate column to widen', () => {
  it('a personal token changes its own token within it, but widens only what rotate allows', async () => {
    const h = makeHarness();
    const actor = await h.service.issue({ ttl: '30d' }, ANALYST);
    const principal = await h.service.verify(actor.token);
    const narrow = await h.service.issue({ ttl: '1d', grants: [{ scope: 'reports' }] }, ANALYST);
    const as = { principal };
    expect(await h.service.update(narrow.info.id, { comment: 'mine', enabled: false }, as)).toMatchObject({
      comment: 'mine',
    });
    // Widening within the actor: the personal row's rotate column is `own`.
    const wider = normalizeGrants([{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }]);
    expect((await h.service.update(narrow.info.id, { grants: wider, ttl: '20d' }, as)).grants).toEqual(wider);
    // Never past the acting token's own expiry.
    expect(await codeOf(h.service.update(narrow.info.id, { ttl: '60d' }, as))).toBe('forbidden');
    expect(await codeOf(h.service.update(narrow.info.id, { ttl: null }, as))).toBe('duration_exceeds_policy');
  });

  it('an administrative token comments on tenant tokens but cannot widen them (rotate: itself only)', async () => {
    const h = makeHarness();
    const admin = await h.service.issue({ type: 'administrative', ttl: '30d' }, ALICE);
    const as = { principal: await h.service.verify(admin.token) };
    const target = await h.service.issue({ ttl: '1d', grants: [{ scope: 'reports' }] }, ANALYST);
    expect(await h.service.update(target.info.id, { comment: 'seen', meta: { by: 'ops' } }, as)).toMatchObject({
      comment: 'seen',
    });
    expect(await codeOf(h.service.update(target.info.id, { ttl: '2d' }, as))).toBe('forbidden');
    expect(await codeOf(h.service.update(target.info.id, { grants: null }, as))).toBe('forbidden');
    // Narrowing is a comment-column change.
    expect((await h.service.update(target.info.id, { grants: [], ttl: '1h' }, as)).grants).toEqual([]);
  });

  it('a limited token may not change itself', async () => {
    const h = makeHarness();
    const limited = await h.service.issue({ type: 'limited', grants: [{ scope: 'reports' }] }, ANALYST);
    const principal = await h.service.verify(limited.token);
    expect(await codeOf(h.service.update(limited.info.id, { comment: 'x' }, { principal }))).toBe('forbidden');
  });
});

describe("Keboola's default (seed 004)", () => {
  it('a master token without a type makes a limited token with no grants; a user still makes a personal one', async () => {
    const h = makeHarness();
    const master = await h.service.ensureMasterToken(ANALYST);
    if (!master.created) throw new Error('expected a new master token');
    const principal = await h.service.verify(master.token);
    const made = await h.service.issue({ name: 'from-master' }, { principal });
    expect(made.info).toMatchObject({ type: 'limited', grants: [] });
    const verified = await h.service.verify(made.token);
    expect(verified.grants).toEqual([]);
    expect(verified.can({ scope: 'reports' })).toBe(false);
    const granted = await h.service.issue({ grants: [{ scope: 'reports' }] }, { principal });
    expect(granted.info).toMatchObject({ type: 'limited', grants: [{ scope: 'reports' }] });
    expect((await h.service.issue({}, ANALYST)).info).toMatchObject({ type: 'personal', grants: null });
  });
});
