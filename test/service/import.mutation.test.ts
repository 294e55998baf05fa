/**
 * `importTokens` and the re-hash of imported keys at their edges (issue 15):
 * every form of an absolute expiry against a written list, the expiry's
 * boundary (now is refused, a millisecond later is kept) and its policy
 * refusal naming the record's field, the defaults of an imported record,
 * batches of exactly 1000 and 1001, repeated hashes, refusals the store
 * reports per key, an outage that stops the call, and a re-hash that fails.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { ImportRecord, TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const LEGACY = ['sk_live_'];

const record = (key: string, extra: Partial<ImportRecord> = {}): ImportRecord => ({
  hash: { value: sha256Hex(key), variant: 'sha256_hex' },
  owner: 'bob',
  ...extra,
});

const sha256Hex = (key: string): string => createHash('sha256').update(key).digest('hex');

const harness = (overrides: Partial<TokenServiceOptions> = {}) => makeHarness({ legacyPrefixes: LEGACY, ...overrides });

describe('an imported key’s expiry', () => {
  it.each([
    ['a Date', new Date(START + DAY), START + DAY],
    ['epoch milliseconds', START + DAY, START + DAY],
    ['ISO 8601 to the minute, Z', '2026-01-02T00:00Z', START + DAY],
    ['ISO 8601 with seconds', '2026-01-02T00:00:00Z', START + DAY],
    ['ISO 8601 with milliseconds', '2026-01-02T00:00:00.5Z', START + DAY + 500],
    ['ISO 8601 with nanoseconds', '2026-01-02T00:00:00.123456789Z', START + DAY + 123],
    ['ISO 8601 with an offset', '2026-01-02T01:00:00+01:00', START + DAY],
    ['ISO 8601 with a negative offset', '2026-01-01T23:00:00-01:00', START + DAY],
  ])('%s is kept as that instant', async (_label, expiresAt, expected) => {
    const h = harness();
    const { imported } = await h.service.importTokens([record('sk_live_a', { expiresAt: expiresAt as never })], ALICE);
    expect(imported[0]!.info.expiresAt?.getTime()).toBe(expected);
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a fraction of a millisecond', START + DAY + 0.5],
    ['a number beyond safe integers', 2 ** 53],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['ISO 8601 without a zone', '2026-01-02T00:00:00'],
    ['a date without a time', '2026-01-02'],
    ['ISO 8601 with text before', 'x2026-01-02T00:00Z'],
    ['ISO 8601 with text after', '2026-01-02T00:00Zx'],
    ['ISO 8601 with an impossible month', '2026-13-02T00:00Z'],
    ['ten fraction digits', '2026-01-02T00:00:00.1234567891Z'],
    // Date.parse reads this extended year (12026); only the anchored shape refuses it.
    ['an extended year', '+012026-01-02T00:00:00Z'],
    ['a boolean', true],
    ['an object', { at: START + DAY }],
    ['now', START],
    ['a millisecond ago', START - 1],
  ])('%s is refused naming records[0].expiresAt', async (_label, expiresAt) => {
    const h = harness();
    expect(
      await rejectionOf(h.service.importTokens([record('sk_live_a', { expiresAt: expiresAt as never })], ALICE)),
    ).toEqual({
      code: 'invalid_request',
      field: 'records[0].expiresAt',
    });
  });

  it('a millisecond from now is kept; none given is the default lifetime', async () => {
    const h = harness({ policy: { defaultTtl: '30d' } });
    const { imported } = await h.service.importTokens(
      [record('sk_live_a', { expiresAt: START + 1 }), record('sk_live_b')],
      ALICE,
    );
    expect(imported.map((entry) => entry.info.expiresAt?.getTime())).toEqual([START + 1, START + 30 * DAY]);
  });

  it('beyond the owner’s maximum, or none where expiry is required, is refused naming the record’s field', async () => {
    const h = harness();
    await h.service.setMaxTtl({ user: 'bob' }, '30d', ALICE);
    const beyond = record('sk_live_a', { expiresAt: START + 30 * DAY + 1 });
    const refused = await h.service.importTokens([record('sk_live_b'), beyond], ALICE).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TokenError);
    expect(refused).toMatchObject({
      code: 'duration_exceeds_policy',
      details: { field: 'records[1].expiresAt', limit: 30 * DAY },
    });
    expect(
      await rejectionOf(h.service.importTokens([record('sk_live_c', { expiresAt: null as never })], ALICE)),
    ).toEqual({ code: 'duration_exceeds_policy', field: 'records[0].expiresAt' });
    const { imported } = await h.service.importTokens([record('sk_live_d', { expiresAt: START + 30 * DAY })], ALICE);
    expect(imported[0]!.info.expiresAt?.getTime()).toBe(START + 30 * DAY);
  });

  it('a role’s policy bounds the expiry of its holders’ keys', async () => {
    const h = harness();
    await h.service.setMaxTtl({ role: 'service_accounts' }, '10d', ALICE);
    const refused = await h.service
      .importTokens([record('sk_live_a', { owner: 'analyst', expiresAt: START + 20 * DAY })], ALICE)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'duration_exceeds_policy',
      details: { field: 'records[0].expiresAt', source: { kind: 'role', name: 'service_accounts' } },
    });
  });

  it('none is kept where the system allows it and no policy applies', async () => {
    const h = harness({ policy: { allowNoExpiry: true } });
    const { imported } = await h.service.importTokens([record('sk_live_a', { expiresAt: null as never })], ALICE);
    expect(imported[0]!.info.expiresAt).toBeNull();
  });
});

describe('an imported record', () => {
  it('defaults: a generated name, no comment, no meta, enabled, a personal token; the event and hook name its type', async () => {
    const seen: unknown[] = [];
    const h = harness({ hooks: { onImported: (event) => void seen.push(event) } });
    const { imported, failed } = await h.service.importTokens([record('sk_live_a')], ALICE);
    expect(failed).toEqual([]);
    const info = imported[0]!.info;
    expect(info).toMatchObject({ type: 'personal', owner: 'bob', comment: '', meta: null, enabled: true });
    expect(info.name).toMatch(/\S/);
    const [event] = (await h.service.events(info.id, ALICE)).items;
    expect(event).toMatchObject({ type: 'imported', actor: 'user:alice', detail: { type: 'personal' } });
    expect(seen).toEqual([expect.objectContaining({ actor: 'user:alice', token: info })]);
  });

  it('keeps what is given: prefix, name, comment, meta, disabled', async () => {
    const h = harness();
    const given = record('sk_live_a', {
      prefix: 'sk_live_',
      name: 'stripe',
      comment: 'from the old system',
      meta: { legacy: 1 },
      enabled: false,
    });
    const { imported } = await h.service.importTokens([given], ALICE);
    expect(imported[0]!.info).toMatchObject({
      name: 'stripe',
      comment: 'from the old system',
      meta: { legacy: 1 },
      enabled: false,
    });
  });

  it.each([
    ['a record that is not an object', 'records[0]', 'sk'],
    ['a hash that is not an object', 'records[0].hash', { hash: 'abc', owner: 'bob' }],
    [
      'an unknown hash field',
      'records[0].hash.salt',
      { hash: { value: sha256Hex('k'), variant: 'sha256_hex', salt: 1 } },
    ],
    ['the master name', 'records[0].name', { ...record('sk_live_a'), name: 'master' }],
    ['a numeric comment', 'records[0].comment', { ...record('sk_live_a'), comment: 5 }],
    ['meta that is a list', 'records[0].meta', { ...record('sk_live_a'), meta: [1] }],
    ['enabled as text', 'records[0].enabled', { ...record('sk_live_a'), enabled: 'yes' }],
    ['a numeric tenant', 'records[0].tenant', { ...record('sk_live_a'), tenant: 5 }],
    ['an unknown type', 'records[0].type', { ...record('sk_live_a'), type: 'root' }],
  ])('%s is refused naming %s', async (_label, field, bad) => {
    const h = harness();
    expect(await rejectionOf(h.service.importTokens([bad as never], ALICE))).toEqual({
      code: 'invalid_request',
      field,
    });
  });
});

describe('a batch', () => {
  it.each([
    ['not a list', record('sk_live_a')],
    ['empty', []],
    ['1001 keys', Array.from({ length: 1001 }, (_, i) => record(`sk_live_${i}`))],
  ])('%s is refused naming records', async (_label, records) => {
    const h = harness();
    expect(await rejectionOf(h.service.importTokens(records as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'records',
    });
  });

  it('1000 keys are imported', async () => {
    const h = harness({ policy: { maxTokensPerUser: 2000 } });
    const records = Array.from({ length: 1000 }, (_, i) => record(`sk_live_${i}`));
    const { imported, failed } = await h.service.importTokens(records, ALICE);
    expect([imported.length, failed.length]).toEqual([1000, 0]);
  });

  it('a hash given twice is refused naming the second, and nothing is stored', async () => {
    const h = harness();
    const records = [record('sk_live_a'), record('sk_live_b'), record('sk_live_a')];
    expect(await rejectionOf(h.service.importTokens(records, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'records[2].hash',
    });
    expect((await h.service.list({ owner: 'bob' }, ALICE)).items).toEqual([]);
  });

  it('the owner’s cap refuses a key as limit_exceeded and the others go on', async () => {
    const h = harness({ policy: { maxTokensPerUser: 1 } });
    const result = await h.service.importTokens([record('sk_live_a'), record('sk_live_b')], ALICE);
    expect(result.imported.map((entry) => entry.index)).toEqual([0]);
    expect(result.failed).toMatchObject([{ index: 1, code: 'limit_exceeded' }]);
  });

  it('an outage stops the call with unavailable', async () => {
    const base = memoryRepository();
    let inserts = 0;
    const repository: TokenRepository = {
      ...base,
      insert: async (...args) => {
        if (++inserts === 2) throw new Error('connection reset');
        return base.insert(...args);
      },
    };
    const h = harness({ repository });
    const records = [record('sk_live_a'), record('sk_live_b'), record('sk_live_c')];
    expect(await codeOf(h.service.importTokens(records, ALICE))).toBe('unavailable');
    expect(inserts).toBe(2);
  });

  // The only token that may import, an admin's master token, holds everything without expiry: every key is within it.
  it('an admin’s master token imports; a user who is no admin is refused', async () => {
    const h = harness({ policy: { allowNoExpiry: true } });
    const master = await h.service.ensureMasterToken(ALICE);
    if (!master.created) throw new Error('expected a new master token');
    const as = { principal: await h.service.verify(master.token) };
    const { imported } = await h.service.importTokens([record('sk_live_a', { expiresAt: null as never })], as);
    expect(imported[0]!.info).toMatchObject({ owner: 'bob', expiresAt: null });
    const [event] = (await h.service.events(imported[0]!.info.id, ALICE)).items;
    expect(event).toMatchObject({ type: 'imported', actor: `token:${master.info.id}` });
    expect(await codeOf(h.service.importTokens([record('sk_live_c')], BOB))).toBe('forbidden');
  });
});

describe('the re-hash at first verification', () => {
  it('a failed write is logged without the key and the verification stands; the next one re-hashes', async () => {
    const base = memoryRepository();
    let fail = true;
    const repository: TokenRepository = {
      ...base,
      update: async (...args) => {
        if (fail) throw new TokenError('unavailable', 'down');
        return base.update(...args);
      },
    };
    const lines: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => void lines.push(['warn', ...args]), error: () => {} };
    const h = harness({ repository, logger });
    const key = 'sk_live_rehash';
    const { imported } = await h.service.importTokens([record(key)], ALICE);
    const id = imported[0]!.info.id;
    expect((await h.service.verify(key)).tokenId).toBe(id);
    expect(lines).toEqual([['warn', expect.any(String), { tokenId: id, code: 'unavailable' }]]);
    expect(JSON.stringify(lines)).not.toContain(sha256Hex(key));
    expect((await base.findById(id))?.lookupHash).toBe(`sha256:${sha256Hex(key)}`);
    fail = false;
    await h.service.verify(key);
    expect((await base.findById(id))?.lookupHash).not.toContain('sha256:');
    const types = (await h.service.events(id, ALICE)).items.map((event) => [event.type, event.actor]);
    expect(types).toEqual([
      ['rehashed', 'system'],
      ['imported', 'user:alice'],
    ]);
  });
});
