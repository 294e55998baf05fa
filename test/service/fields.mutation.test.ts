/**
 * The field each refusal names, where a service call passes it on to a
 * shared check (issue 15): page limits of `list`, tenants of name
 * references, users of user targets, session and policy durations; and the
 * type list of `list` takes every stored type.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { serviceSettings } from '../../src/service/options.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { refusalOf, rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, makeHarness, TEST_PEPPER } from '../support/service.js';
import { plainCodec } from './plain-codec.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';
const codec = plainCodec;

describe('fields named through shared checks', () => {
  it('list names filter.limit', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.list({ limit: 0 }, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'filter.limit',
    });
  });

  it('a name reference by the system must name ref.tenant', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.get({ owner: 'bob', name: 'x' }, 'system'))).toEqual({
      code: 'invalid_request',
      field: 'ref.tenant',
    });
  });

  it('{ id } with a list holding an id is no reference', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.get({ id: [ID] } as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'ref',
    });
  });

  it('a user target names target.user', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.ensureMasterToken({ tenant: 'acme', user: 5 } as never))).toEqual({
      code: 'invalid_request',
      field: 'target.user',
    });
  });

  it('an exchange names ttl', async () => {
    const h = makeHarness({ sessions: { codec } });
    const issued = await h.service.issue({}, ANALYST);
    expect(await rejectionOf(h.service.exchange(issued.token, { ttl: 'soon' }))).toEqual({
      code: 'invalid_request',
      field: 'ttl',
    });
  });

  it.each([
    ['sessions.defaultTtl', { sessions: { codec, defaultTtl: 'soon' } }],
    ['sessions.maxTtl', { sessions: { codec, maxTtl: 'soon' } }],
    ['policy.eventRetention', { policy: { eventRetention: 'soon' } }],
    ['policy.purgeAfter', { policy: { purgeAfter: 'soon' } }],
    ['policy.claimTtl', { policy: { claimTtl: 'soon' } }],
    ['policy.maxGracePeriod', { policy: { maxGracePeriod: 'soon' } }],
    ['touchInterval', { touchInterval: 'soon' }],
  ])('a bad duration names %s', (field, extra) => {
    expect(
      refusalOf(() => serviceSettings({ repository: memoryRepository(), pepper: TEST_PEPPER, ...extra } as never)),
    ).toEqual({ code: 'invalid_request', field });
  });
});

describe('list types and lost parents', () => {
  it('lists administrative tokens by type', async () => {
    const h = makeHarness();
    await h.service.issue({ type: 'administrative', name: 'ops' }, ALICE);
    await h.service.issue({ name: 'mine' }, ALICE);
    const page = await h.service.list({ all: true, types: ['administrative'] }, ALICE);
    expect(page.items.map((info) => info.name)).toEqual(['ops']);
  });

  it('an exchange whose parent is gone after verification is token_invalid', async () => {
    // Without the synchronous lookup, so that verification reads through findById as well.
    const { findByIdSync: _sync, ...base } = memoryRepository();
    let reads = 0;
    const repository: TokenRepository = {
      ...base,
      findById: async (id) => (++reads === 2 ? null : base.findById(id)),
    };
    const h = makeHarness({ repository, sessions: { codec } });
    const issued = await h.service.issue({}, ANALYST);
    reads = 0;
    expect(await codeOf(h.service.exchange(issued.token))).toBe('token_invalid');
  });
});
