/**
 * Listing (src/service/list.ts) against written answers (issue 15): the
 * reads a filtered page makes, and the filter checks of `list`.
 */
import { describe, expect, it } from 'vitest';
import { filteredPage } from '../../src/service/list.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

/** A source of the numbers 1..total in pages, logging each read as `size@cursor`. */
function source(total: number) {
  const reads: string[] = [];
  const read = async (limit: number, cursor: string | null) => {
    reads.push(`${limit}@${cursor}`);
    const start = cursor === null ? 1 : Number(cursor);
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - start + 1)) }, (_, i) => start + i);
    const end = start + items.length;
    return { items, nextCursor: end > total ? null : String(end) };
  };
  return { read, reads };
}

const odd = async (n: number) => n % 2 === 1;

describe('filteredPage', () => {
  it('reads again for what the filter dropped, asking only for what is missing', async () => {
    const { read, reads } = source(100);
    expect(await filteredPage(read, odd, 4, null)).toEqual({ items: [1, 3, 5, 7], nextCursor: '8' });
    expect(reads).toEqual(['4@null', '2@5', '1@7']);
  });

  it('starts at the cursor it is given', async () => {
    const { read, reads } = source(100);
    expect(await filteredPage(read, async () => true, 3, '10')).toEqual({ items: [10, 11, 12], nextCursor: '13' });
    expect(reads).toEqual(['3@10']);
  });

  it('stops at the end of the data with a null cursor', async () => {
    const { read, reads } = source(5);
    expect(await filteredPage(read, odd, 10, null)).toEqual({ items: [1, 3, 5], nextCursor: null });
    expect(reads).toEqual(['10@null']);
  });

  it('stops after 8 reads, handing back the cursor to go on from', async () => {
    const { read, reads } = source(100);
    expect(await filteredPage(read, async () => false, 2, null)).toEqual({ items: [], nextCursor: '17' });
    expect(reads).toHaveLength(8);
  });
});

describe('list filters', () => {
  it.each([
    ['an empty type list', { types: [] }, 'filter.types'],
    ['an unknown type among known ones', { types: ['personal', 'session'] }, 'filter.types'],
    ['types that are not a list', { types: 'personal' }, 'filter.types'],
    ['all with an owner', { all: true, owner: 'bob' }, 'filter.owner'],
    ['a numeric owner', { owner: 7 }, 'filter.owner'],
    ['an unknown key', { hidden: true }, 'filter.hidden'],
  ])('refuses %s naming %s', async (_label, filter, field) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.list(filter as never, ALICE))).toEqual({ code: 'invalid_request', field });
  });

  it('the system must name an owner or ask for all', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.list({ tenant: 'acme' }, 'system'))).toEqual({
      code: 'invalid_request',
      field: 'filter.owner',
    });
    await expect(h.service.list({ tenant: 'acme', all: true }, 'system')).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('a user who is not an admin lists only their own tokens', async () => {
    const h = makeHarness();
    await h.service.issue({ name: 'mine' }, BOB);
    for (const filter of [{ owner: 'analyst' }, { all: true }, { owner: null }]) {
      expect((await rejectionOf(h.service.list(filter, BOB))).code).toBe('forbidden');
    }
    expect((await h.service.list({}, BOB)).items.map((info) => info.name)).toEqual(['mine']);
    expect((await h.service.list({ owner: 'bob' }, BOB)).items.map((info) => info.name)).toEqual(['mine']);
  });

  it('filters by type, and shows revoked and expired tokens only when asked', async () => {
    const h = makeHarness();
    await h.service.issue({ name: 'p', ttl: '1h' }, ANALYST);
    const limited = await h.service.issue({ name: 'l', type: 'limited' }, ANALYST);
    await h.service.revoke(limited.info.id, ANALYST);
    h.clock.advance(2 * 3_600_000);
    const names = async (filter: object) =>
      (await h.service.list(filter, ANALYST)).items.map((info) => info.name).sort();
    expect(await names({})).toEqual([]);
    expect(await names({ hideExpired: false })).toEqual(['p']);
    expect(await names({ hideRevoked: false })).toEqual(['l']);
    expect(await names({ hideExpired: false, hideRevoked: false })).toEqual(['l', 'p']);
    expect(await names({ hideExpired: false, hideRevoked: false, types: ['limited'] })).toEqual(['l']);
    expect(await names({ hideExpired: false, hideRevoked: false, types: ['personal', 'master'] })).toEqual(['p']);
  });
});
