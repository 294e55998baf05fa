/**
 * Issue 8, finding 7, on every store: the service on memory, SQLite and
 * PostgreSQL decides names on their NFC form, refuses text no store can keep
 * before it reaches storage (SQLite turned two different lone surrogates
 * into one U+FFFD name; PostgreSQL answered `conflict` for one, and
 * `unavailable` for `record()` details that jsonb refuses), and answers
 * exactly the form it stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { codeOf } from '../support/errors.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';

/** Names kept as given (already NFC), with their owners' lookups. */
const KEPT = ['👨\u200D👩\u200D👧', 'می\u200Cخواهم', '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}', '𝔘𝔫𝔦'];

function textOnStore(makeRepository: () => Promise<TokenRepository>): void {
  const harness = async () => makeHarness({ repository: await makeRepository() });

  it('café (NFC) and cafe\\u0301 (NFD) are one name: the second is a conflict', async () => {
    const h = await harness();
    const first = await h.service.issue({ name: 'cafe\u0301' }, BOB);
    expect(first.info.name).toBe('café');
    expect(await codeOf(h.service.issue({ name: 'café' }, BOB))).toBe('conflict');
    expect(await codeOf(h.service.issue({ name: 'cafe\u0301' }, BOB))).toBe('conflict');
    expect((await h.repository.findById(first.info.id))?.name).toBe('café');
  });

  it('refuses two different lone-surrogate names up front instead of storing them as one', async () => {
    const h = await harness();
    for (const name of ['ci\uD800', 'ci\uDBFF', 'ci\uDC00']) {
      expect(await rejectionOf(h.service.issue({ name }, BOB))).toEqual({ code: 'invalid_request', field: 'name' });
    }
    // The store never saw them: a name it would have collapsed them into is still free.
    await expect(h.service.issue({ name: 'ci\uFFFD' }, BOB)).resolves.toBeDefined();
  });

  it.each([
    ['a NUL', { x: 'a\u0000b' }, 'detail.x'],
    ['a lone surrogate', { x: 'a\uD800b' }, 'detail.x'],
    ['a lone surrogate in a key', { 'k\uDC00': 1 }, 'detail'],
  ])('refuses a record() detail with %s as invalid_request, never unavailable', async (_label, detail, field) => {
    const h = await harness();
    const { token, info } = await h.service.issue({ name: 'ci' }, BOB);
    const principal = await h.service.verify(token);
    expect(await rejectionOf(h.service.record(principal, 'GET /x', detail))).toEqual({
      code: 'invalid_request',
      field,
    });
    expect((await h.service.events(info.id, BOB)).items.map((event) => event.type)).toEqual(['issued']);
  });

  it('answers exactly the NFC form it stored, by id, by name, in lists, on verify and in events', async () => {
    const h = await harness();
    const comment = 'line 1\n\tגיבוי\u200E 2 cafe\u0301';
    const issued = [];
    for (const name of [...KEPT, 'cafe\u0301-ci']) issued.push(await h.service.issue({ name, comment }, BOB));
    const expected = [...KEPT, 'café-ci'];
    for (const [index, { token, info }] of issued.entries()) {
      expect(info.name).toBe(expected[index]);
      expect(info.comment).toBe(comment.normalize('NFC'));
      expect((await h.service.get(info.id, BOB)).name).toBe(expected[index]);
      expect((await h.service.get({ owner: 'bob', name: expected[index]! }, BOB)).id).toBe(info.id);
      expect((await h.service.verify(token)).name).toBe(expected[index]);
    }
    const listed = await h.service.list({}, BOB);
    expect(listed.items.map((info) => info.name).sort()).toEqual([...expected].sort());
    const { token, info } = issued[0]!;
    await h.service.record(await h.service.verify(token), 'appel cafe\u0301', {
      'clé cafe\u0301': ['e\u0301', 'a\nb'],
    });
    const used = (await h.service.events(info.id, BOB)).items.find((event) => event.type === 'used');
    expect(used).toMatchObject({ operation: 'appel café', detail: { 'clé café': ['é', 'a\nb'] } });
    const all = await h.service.list({ all: true }, ALICE);
    expect(all.items).toHaveLength(expected.length);
  });
}

describe('text on the memory store', () => {
  textOnStore(async () => memoryRepository());
});

describe('text on the SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-text-'));
  const opened: { close(): Promise<void> }[] = [];
  let files = 0;
  afterAll(async () => {
    for (const repository of opened) await repository.close();
    rmSync(dir, { recursive: true, force: true });
  });
  textOnStore(async () => {
    const repository = sqliteRepository({ path: join(dir, `text-${++files}.sqlite`) });
    opened.push(repository);
    return repository;
  });
});

const server = await testPostgres();

describePostgres('text on the PostgreSQL store', server, (url) => {
  const pool = testPool(url, 5);
  const schemas: string[] = [];
  afterAll(async () => {
    await pool.end();
    for (const schema of schemas) await dropSchema(url, schema);
  });
  textOnStore(async () => {
    const schema = uniqueSchema('text');
    schemas.push(schema);
    await migrate(pool, { schema });
    return postgresRepository({ pool, schema });
  });
});
