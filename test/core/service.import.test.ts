/**
 * `importTokens` and imported keys at verification (issue 13): keys hashed
 * by another system (SHA-256, hex or base64, of the whole key) keep their
 * strings, are recognized by a configured legacy prefix, found by an
 * indexed lookup of their hash, and re-hashed to the keyed HMAC at their
 * first successful verification. Runs on the memory and SQLite stores.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { ImportRecord } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness, TEST_PEPPER } from '../support/service.js';

const DAY = 86_400_000;
const LEGACY = ['sk_live_', 'ghp_'];
const dir = mkdtempSync(join(tmpdir(), 'tokenward-import-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (key: string): string => createHash('sha256').update(key).digest('hex');
const base64 = (key: string): string => createHash('sha256').update(key).digest('base64');
/** The keyed HMAC an imported key is re-hashed to: of its tagged SHA-256. */
const hmac = (key: string): string =>
  createHmac('sha256', TEST_PEPPER)
    .update(`sha256:${hex(key)}`)
    .digest('base64url');

/** A repository that counts lookups by hash, to see which strings reach storage. */
function counting(repository: TokenRepository): TokenRepository & { lookups: number } {
  const counted = Object.create(repository) as TokenRepository & { lookups: number };
  counted.lookups = 0;
  counted.findByLookupHash = (hashes) => {
    counted.lookups++;
    return repository.findByLookupHash(hashes);
  };
  return counted;
}

const STORES: readonly [string, () => TokenRepository][] = [
  ['memory', () => memoryRepository()],
  ['SQLite', () => sqliteRepository({ path: join(dir, `import-${++files}.sqlite`) })],
];

describe.each(STORES)('imported keys on %s', (_name, store) => {
  const harness = () => {
    const repository = counting(store());
    return { ...makeHarness({ repository, legacyPrefixes: LEGACY }), counted: repository };
  };

  it('imports hex and base64 SHA-256 keys; the original strings verify with owner, grants, meta and expiry', async () => {
    const h = harness();
    const keys = ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'];
    const expiresAt = new Date(h.clock.now() + 90 * DAY);
    const records: ImportRecord[] = [
      {
        hash: { value: hex(keys[0]!), variant: 'sha256_hex' },
        prefix: 'sk_live_',
        owner: 'analyst',
        name: 'stripe-era',
        type: 'limited',
        grants: [{ scope: 'reports' }],
        meta: { legacyId: 'key_123' },
        expiresAt: expiresAt.toISOString(),
      },
      { hash: { value: base64(keys[1]!), variant: 'sha256_base64' }, type: 'administrative', expiresAt: null as never },
    ];
    const result = await h.service.importTokens(
      records.map((record, i) => (i === 1 ? { ...record, expiresAt: expiresAt.getTime() } : record)),
      ALICE,
    );
    expect(result.failed).toEqual([]);
    expect(result.imported.map((entry) => entry.index)).toEqual([0, 1]);
    const analyst = await h.service.verify(keys[0]!);
    expect(analyst).toMatchObject({
      tokenId: result.imported[0]!.info.id,
      type: 'limited',
      owner: 'analyst',
      name: 'stripe-era',
      grants: [{ scope: 'reports' }],
      meta: { legacyId: 'key_123' },
      expiresAt,
    });
    expect((await h.service.verify(keys[1]!)).type).toBe('administrative');
    const [event] = (await h.service.events(result.imported[0]!.info.id, ALICE)).items.reverse();
    expect(event).toMatchObject({ type: 'imported', actor: 'user:alice' });
  });

  it('re-hashes a key to the keyed HMAC at its first verification: the SHA-256 leaves storage', async () => {
    const h = harness();
    const key = 'sk_live_rehash0123456789abcdefghij';
    const { imported } = await h.service.importTokens(
      [{ hash: { value: hex(key), variant: 'sha256_hex' }, owner: 'bob' }],
      ALICE,
    );
    const id = imported[0]!.info.id;
    expect(await h.repository.findById(id)).toMatchObject({ lookupHash: `sha256:${hex(key)}` });
    await h.service.verify(key);
    const stored = await h.repository.findById(id);
    expect(stored).toMatchObject({ lookupHash: hmac(key), secretHash: hmac(key), pepperVersion: 1 });
    expect(JSON.stringify(stored)).not.toContain(hex(key));
    expect((await h.service.verify(key)).tokenId).toBe(id);
    const types = (await h.service.events(id, ALICE)).items.map((event) => event.type);
    expect(types).toEqual(['rehashed', 'imported']);
  });

  it('only strings with a legacy prefix reach storage; a wrong key with one is token_invalid', async () => {
    const h = harness();
    await h.service.importTokens(
      [{ hash: { value: hex('sk_live_right'), variant: 'sha256_hex' }, owner: 'bob' }],
      ALICE,
    );
    h.counted.lookups = 0;
    for (const garbage of ['not-a-token-at-all-xxxxxxxx', 'acme_p_0000', 'SK_LIVE_right']) {
      expect(await codeOf(h.service.verify(garbage))).toBe('token_invalid');
    }
    expect(h.counted.lookups).toBe(0);
    expect(await codeOf(h.service.verify('sk_live_wrong'))).toBe('token_invalid');
    expect(h.counted.lookups).toBe(1);
  });

  it('reports keys the store refuses one by one; rerunning an import is safe', async () => {
    const h = harness();
    const record = (key: string, name: string): ImportRecord => ({
      hash: { value: hex(key), variant: 'sha256_hex' },
      owner: 'bob',
      name,
    });
    await h.service.issue({ name: 'taken' }, BOB);
    const first = await h.service.importTokens([record('ghp_a', 'a'), record('ghp_b', 'taken')], ALICE);
    expect(first.imported.map((entry) => entry.index)).toEqual([0]);
    expect(first.failed).toMatchObject([{ index: 1, code: 'conflict' }]);
    const again = await h.service.importTokens([record('ghp_a', 'a2'), record('ghp_c', 'c')], ALICE);
    expect(again.failed).toMatchObject([{ index: 0, code: 'conflict' }]);
    expect(again.imported.map((entry) => entry.index)).toEqual([1]);
    // A key used since (re-hashed) is still recognized.
    await h.service.verify('ghp_c');
    const third = await h.service.importTokens([record('ghp_c', 'c3')], ALICE);
    expect(third.failed).toMatchObject([{ index: 0, code: 'conflict', message: 'this key was imported already' }]);
    expect(await codeOf(h.service.verify('ghp_b'))).toBe('token_invalid');
  });

  it('checks every record before storing any: one bad record refuses the call', async () => {
    const h = harness();
    const good: ImportRecord = { hash: { value: hex('ghp_good'), variant: 'sha256_hex' }, owner: 'bob' };
    const cases: [unknown, string][] = [
      [{ ...good, hash: { value: 'xyz', variant: 'sha256_hex' } }, 'records[1].hash.value'],
      [{ ...good, hash: { value: hex('k'), variant: 'md5' } }, 'records[1].hash.variant'],
      [{ ...good, hash: { value: base64('k').slice(1), variant: 'sha256_base64' } }, 'records[1].hash.value'],
      [{ ...good, prefix: 'pk_' }, 'records[1].prefix'],
      [{ ...good, expiresAt: new Date(0) }, 'records[1].expiresAt'],
      [{ ...good, expiresAt: 'tomorrow' }, 'records[1].expiresAt'],
      [{ ...good, owner: 'b o b' }, 'records[1].owner'],
      [{ ...good, colour: 'red' }, 'records[1].colour'],
      [good, 'records[1].hash'],
    ];
    for (const [bad, field] of cases) {
      const error = (await h.service.importTokens([good, bad as ImportRecord], ALICE).catch((e) => e)) as TokenError;
      expect([error.code, error.details.field], field).toEqual(['invalid_request', field]);
    }
    expect(await codeOf(h.service.importTokens([], ALICE))).toBe('invalid_request');
    const tooLong = { ...good, expiresAt: h.clock.now() + 400 * DAY };
    expect(await codeOf(h.service.importTokens([tooLong], ALICE))).toBe('duration_exceeds_policy');
    const beyond = { ...good, grants: [{ scope: 'admin_console' }] };
    expect(await codeOf(h.service.importTokens([beyond], ALICE))).toBe('insufficient_scope');
    expect(await codeOf(h.service.verify('ghp_good'))).toBe('token_invalid');
    expect((await h.service.list({ owner: 'bob', limit: 10 }, ALICE)).items).toEqual([]);
  });

  it('admins only, and never through a token that may not create tokens', async () => {
    const h = harness();
    const record: ImportRecord = { hash: { value: hex('ghp_x'), variant: 'sha256_hex' }, owner: 'analyst' };
    expect(await codeOf(h.service.importTokens([record], ANALYST))).toBe('forbidden');
    const admin = await h.service.issue({ type: 'administrative' }, ALICE);
    const principal = await h.service.verify(admin.token);
    expect(await codeOf(h.service.importTokens([record], { principal }))).toBe('forbidden');
    expect((await h.service.importTokens([record], 'system' as never).catch((e) => e)).code).toBe('invalid_request');
    const result = await h.service.importTokens([{ ...record, tenant: 'acme' }], 'system');
    expect(result.imported).toHaveLength(1);
  });

  it('rotating an imported key gives it a tokenward string; the old one lives only through the grace period', async () => {
    const h = harness();
    const key = 'ghp_rotate_me';
    const { imported } = await h.service.importTokens(
      [{ hash: { value: hex(key), variant: 'sha256_hex' }, owner: 'bob' }],
      ALICE,
    );
    const id = imported[0]!.info.id;
    await h.service.verify(key); // re-hashed
    const rotated = await h.service.rotate(id, BOB, { gracePeriod: '1h' });
    const graced = await h.service.verify(key);
    expect(graced.tokenId).toBe(id);
    // A secret being retired ends with its grace and acts on no management call (SPEC §2).
    expect(graced.expiresAt?.getTime()).toBe(h.clock.now() + 3_600_000);
    expect(await codeOf(h.service.rotate(id, { principal: graced }))).toBe('forbidden');
    expect((await h.service.verify(rotated.token)).tokenId).toBe(id);
    h.clock.advance(3_600_000);
    expect(await codeOf(h.service.verify(key))).toBe('token_invalid');
    const again = await h.service.rotate(id, BOB);
    expect(await codeOf(h.service.verify(rotated.token))).toBe('token_invalid');
    expect((await h.service.verify(again.token)).tokenId).toBe(id);
    expect(await h.repository.findById(id)).toMatchObject({ lookupHash: null });
  });

  it('a disabled, revoked or expired imported key fails like any token', async () => {
    const h = harness();
    const key = 'sk_live_lifecycle';
    const { imported } = await h.service.importTokens(
      [
        {
          hash: { value: hex(key), variant: 'sha256_hex' },
          owner: 'bob',
          enabled: false,
          expiresAt: h.clock.now() + DAY,
        },
      ],
      ALICE,
    );
    const id = imported[0]!.info.id;
    expect(await codeOf(h.service.verify(key))).toBe('token_disabled');
    // Not re-hashed while it does not verify.
    expect((await h.repository.findById(id))?.lookupHash).toBe(`sha256:${hex(key)}`);
    await h.service.update(id, { enabled: true }, BOB);
    await h.service.verify(key);
    h.clock.advance(DAY);
    expect(await codeOf(h.service.verify(key))).toBe('token_expired');
  });
});

describe('importTokens configuration', () => {
  it('needs legacyPrefixes, and no verification token may start with one', async () => {
    const plain = makeHarness();
    const record: ImportRecord = { hash: { value: hex('sk_x'), variant: 'sha256_hex' }, owner: 'bob' };
    const error = (await plain.service.importTokens([record], ALICE).catch((e) => e)) as TokenError;
    expect([error.code, error.details.field]).toEqual(['invalid_request', 'legacyPrefixes']);
    for (const [legacyPrefixes, field] of [
      [[], 'legacyPrefixes'],
      [['sk_', 'sk_'], 'legacyPrefixes[1]'],
      [['has space'], 'legacyPrefixes[0]'],
      ['sk_', 'legacyPrefixes'],
    ] as const) {
      expect(() => makeHarness({ legacyPrefixes: legacyPrefixes as never })).toThrow(
        expect.objectContaining({ details: { field } }),
      );
    }
    expect(() =>
      makeHarness({ legacyPrefixes: ['sk_'], verificationTokens: ['sk_operator-root-secret-0123'] }),
    ).toThrow(TokenError);
  });

  it('refuses a legacy prefix that overlaps the token prefix or a verification token, or is under 3 characters', () => {
    const refused = (options: Record<string, unknown>) => {
      const error = (() => {
        try {
          makeHarness(options as never);
        } catch (e) {
          return e as TokenError;
        }
        throw new Error('expected the options to be refused');
      })();
      expect(error).toBeInstanceOf(TokenError);
      expect([error.code, error.details.field]).toEqual(['invalid_request', 'legacyPrefixes[0]']);
      expect(error.message).toMatch(/legacyPrefixes\[0\]/);
    };
    // Each a prefix of the other: `acme_…` tokens, or every string starting with `a`, would reach storage.
    for (const legacy of ['acme_', 'acme_p_', 'acme', 'acm', 'ac', 'a'])
      refused({ prefix: 'acme', legacyPrefixes: [legacy] });
    refused({ prefix: undefined, legacyPrefixes: ['tw_'] }); // the default prefix
    refused({ legacyPrefixes: ['ab'] });
    refused({
      legacyPrefixes: ['vt_operator-root-secret-0123x'],
      verificationTokens: ['vt_operator-root-secret-0123'],
    });
    // Prefixes that merely share letters are fine.
    expect(() => makeHarness({ prefix: 'acme', legacyPrefixes: ['acme-', 'acmeX', 'sk_'] })).not.toThrow();
  });
});
