/**
 * What the memory repository promises beyond the shared contract: records
 * read back are copies built from its rows, whatever fields they carry; a
 * token's events survive it; and a crowded namespace does not turn
 * inserts and name lookups quadratic. A stored hash that is a digest's
 * text is kept as its eight words, and verification is answered with them.
 */
import assert from 'node:assert/strict';
import { describe, expect, it } from 'vitest';
import { digestWordsToText } from '../../src/core/digest-text.js';
import { toBase64Url } from '../../src/core/encoding.js';
import type { VerificationRecord } from '../../src/core/repository.js';
import type { TokenEvent, TokenRecord } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { internalized } from '../../src/stores/memory/sharing.js';
import type { Writable } from '../../src/testing/fixtures.js';
import { T0, testRecord } from '../support/records.js';

function token(i: number, overrides: Partial<TokenRecord> = {}): TokenRecord {
  const id = `T${String(i).padStart(10, '0')}`;
  return testRecord(id, {
    type: 'administrative',
    owner: null,
    name: `n${i}`,
    createdAt: T0 + i,
    createdBy: 'system',
    ...overrides,
  });
}

describe('memory repository', () => {
  it('reads a new copy each time: changing it never reaches storage, and what it shares is frozen', async () => {
    const repository = memoryRepository();
    const record = token(1, { type: 'limited', owner: 'alice', grants: [{ scope: 'reports' }] });
    await repository.insert(record, { now: T0 });
    const first = (await repository.findById(record.id)) as Writable<TokenRecord>;
    const second = await repository.findById(record.id);
    expect(first).not.toBe(second);
    expect(first).toEqual(record);
    expect(repository.findByIdSync!(record.id)).toEqual(record);
    expect(Object.isFrozen(first.grants)).toBe(true);
    first.name = 'changed';
    expect((await repository.findById(record.id))?.name).toBe('n1');
    await repository.touch(record.id, T0 + 5);
    expect((await repository.findById(record.id))?.lastUsedAt).toBe(T0 + 5);
    expect(repository.findByIdSync!('01KSR49200E675ZPDRER1XBZJC')).toBeNull();
  });

  it('keeps what no column holds: other fields, values too large for a column, usual fields set', async () => {
    const repository = memoryRepository();
    // A ULID id (kept as words) and a text id (kept as text), each with fields the rows have no column for.
    for (const id of ['01KSR49200E675ZPDRER1XBZJC', 'T-text-id']) {
      const record = {
        ...token(2, { id }),
        comment: 'with a comment',
        previousSecretHash: 'old-hash',
        previousPepperVersion: 3,
        previousExpiresAt: T0 + 60_000,
        rotatedAt: T0 + 1,
        pepperVersion: 2 ** 40,
        version: 2 ** 33,
        meta: { team: ['a', 'b'], depth: { n: 1 } },
        enabled: false,
      } as TokenRecord;
      await repository.insert(record, { now: T0 });
      const read = await repository.findById(id);
      assert.deepStrictEqual(read, record);
      expect(Object.isFrozen((read as unknown as { meta: object }).meta)).toBe(true);
      const revoked = await repository.revoke(id, T0 + 9);
      expect(revoked).toEqual({ ...record, revokedAt: T0 + 9, version: 2 ** 33 + 1 });
    }
  });

  it("keeps a token's events after the token is purged, until they are pruned", async () => {
    const repository = memoryRepository();
    const record = token(3, { id: '01KSR49200E675ZPDRER1XBZJD', expiresAt: T0 + 10 });
    const issued: TokenEvent = {
      id: '01KSR49200E675ZPDRER1XBZJE',
      tokenId: record.id,
      tenant: 'acme',
      type: 'issued',
      actor: 'system',
      operation: 'issued',
      detail: { ttl: '10ms' },
      at: T0,
    };
    const used: TokenEvent = { ...issued, id: 'E-used', type: 'used', operation: 'GET /', detail: null, at: T0 + 5 };
    await repository.insert(record, { now: T0 }, issued);
    await repository.appendEvent(used);
    const before = await repository.listEvents({ tokenId: record.id, limit: 10 });
    expect(before.items).toEqual([used, issued]);
    expect(await repository.purgeExpired(T0 + 20)).toBe(1);
    expect(await repository.findById(record.id)).toBeNull();
    expect((await repository.listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([used, issued]);
    expect(await repository.pruneEvents(T0 + 1)).toBe(1);
    expect((await repository.listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([used]);
  });

  it('finds every name in a namespace of 20,000 tokens through the name index', async () => {
    // Speed is measured in bench/memory.bench.ts, not asserted here; this keeps the name index
    // honest at a size where a scan-based index (quadratic, 30 s and more) would hit the test timeout.
    const repository = memoryRepository();
    for (let i = 0; i < 20_000; i++) {
      await repository.insert(token(i), { now: T0 + i, maxLivePerOwner: 100_000 });
    }
    for (let i = 0; i < 20_000; i++) {
      expect((await repository.findByName('acme', null, `n${i}`))?.id).toBe(token(i).id);
    }
  });

  describe('stored hashes as digest words (issue 12)', () => {
    const digestText = (seed: number): string => toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => seed * 31 + i));
    const ULID = '01KSR49200E675ZPDRER1XBZJC';

    /** The verification form's hash as text: its words spelled, or the text it came with. */
    function hashOf(found: VerificationRecord | null | undefined): string | undefined {
      if (found?.secretWords === undefined) return found?.secretHash;
      expect(found.secretHash).toBe('');
      return digestWordsToText(found.secretWords, found.secretWordsAt!);
    }

    it('answers verification with the words of the hash, and every other read with its text', async () => {
      const repository = memoryRepository();
      const record = token(3, { id: ULID, secretHash: digestText(1), previousSecretHash: digestText(9) });
      await repository.insert(record, { now: T0 });
      expect(await repository.findById(ULID)).toEqual(record);
      expect(repository.findByIdSync!(ULID)).toEqual(record);
      const verifying = repository.findByIdSync!(ULID, 'verification')!;
      expect(hashOf(verifying)).toBe(digestText(1));
      const { secretWords: _words, secretWordsAt: _at, ...rest } = verifying;
      expect(rest).toEqual({ ...record, secretHash: '' });
      expect(repository.findByIdSync!('01KSR49200E675ZPDRER1XBZJD', 'verification')).toBeNull();
    });

    it('keeps a hash that is not a digest text as text, and follows every replacement of the hash', async () => {
      const repository = memoryRepository();
      const record = token(4, { id: ULID, secretHash: 'not-a-digest' });
      await repository.insert(record, { now: T0 });
      expect(repository.findByIdSync!(ULID, 'verification')).toEqual(record);
      const steps = [digestText(2), `${digestText(3)}=`, digestText(4)];
      let version = record.version;
      for (const secretHash of steps) {
        const updated = await repository.update(ULID, version, { secretHash });
        version = updated!.version;
        expect(updated?.secretHash).toBe(secretHash);
        expect(hashOf(repository.findByIdSync!(ULID, 'verification'))).toBe(secretHash);
        expect((await repository.findById(ULID))?.secretHash).toBe(secretHash);
      }
    });

    it('gives a row freed by a purge and used again the hash of its new token only', async () => {
      const repository = memoryRepository();
      const old = token(5, { id: ULID, secretHash: digestText(5), expiresAt: T0 + 1 });
      await repository.insert(old, { now: T0 });
      await repository.purgeExpired(T0 + 10);
      const next = token(6, { id: '01KSR49200E675ZPDRER1XBZJE', secretHash: 'text-hash' });
      await repository.insert(next, { now: T0 + 10 });
      expect(repository.findByIdSync!(next.id, 'verification')).toEqual(next);
      expect(await repository.findById(next.id)).toEqual(next);
    });
  });

  it('keeps an id that is not a string (no column holds it) for every read, listing included', async () => {
    const repository = memoryRepository();
    const record = { ...token(7), id: 42 as unknown as string };
    await repository.insert(record, { now: T0 });
    expect(await repository.findById(record.id)).toEqual(record);
    expect(repository.findByIdSync!(record.id, 'verification')).toEqual(record);
    expect((await repository.list({ tenant: record.tenant, limit: 10 } as never)).items.map((r) => r.id)).toEqual([42]);
  });

  it('keeps namespace names as the engine\'s shared copy of the same text, "__proto__" included', () => {
    for (const text of ['acme', '__proto__', '123', 'a'.repeat(40), '']) expect(internalized(text)).toBe(text);
  });
});

describe('memory repository: touchSync after a verification read', () => {
  /** A canonical ULID, so the row is found through the id index. */
  const ulidOf = (i: number): string => `01HZY0000000000000000${String(i).padStart(5, '0')}`;

  it('writes the row just read, and only when it still holds that id', async () => {
    const repository = memoryRepository();
    const [a, b] = [testRecord(ulidOf(1), { name: 'a' }), testRecord(ulidOf(2), { name: 'b' })];
    for (const record of [a, b]) await repository.insert(record, { now: T0 });
    // Read a, then write b: b's row, not the one just read.
    repository.findByIdSync!(a.id, 'verification');
    repository.touchSync!(b.id, T0 + 10);
    expect((await repository.findById(a.id))?.lastUsedAt).toBeNull();
    expect((await repository.findById(b.id))?.lastUsedAt).toBe(T0 + 10);
    repository.findByIdSync!(a.id, 'verification');
    repository.touchSync!(a.id, T0 + 20);
    expect((await repository.findById(a.id))?.lastUsedAt).toBe(T0 + 20);
  });

  it('ignores the row just read once it is deleted, and once its slot holds another token', async () => {
    const repository = memoryRepository();
    const doomed = testRecord(ulidOf(3), { name: 'doomed', expiresAt: T0 + 5 });
    await repository.insert(doomed, { now: T0 });
    repository.findByIdSync!(doomed.id, 'verification');
    expect(await repository.purgeExpired(T0 + 10)).toBe(1);
    expect(() => repository.touchSync!(doomed.id, T0 + 20)).not.toThrow();
    const next = testRecord(ulidOf(4), { name: 'next' });
    await repository.insert(next, { now: T0 + 30 });
    repository.touchSync!(doomed.id, T0 + 40);
    expect(await repository.findById(next.id)).toEqual(next);
    expect(await repository.findById(doomed.id)).toBeNull();
    repository.touchSync!(next.id, T0 + 50);
    expect((await repository.findById(next.id))?.lastUsedAt).toBe(T0 + 50);
  });
});
