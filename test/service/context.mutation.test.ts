/**
 * The service context's shields (src/service/context.ts) name the part that
 * failed (issue 15): token storage, the directory, the directory store.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryDirectoryStore, memoryRepository } from '../../src/stores/memory/index.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { withoutDirectory } from './master-support.js';

const messageOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: Error) => error.message,
  );

describe('which part is unavailable', () => {
  it('token storage, failing at once or later', async () => {
    const base = memoryRepository();
    const now = Object.assign(Object.create(base) as TokenRepository, {
      list: () => {
        throw new Error('driver');
      },
    });
    expect(await messageOf(makeHarness({ repository: now }).service.list({}, ANALYST))).toBe(
      'token storage is unavailable',
    );
    const later = Object.assign(Object.create(base) as TokenRepository, {
      findById: () => Promise.reject(new Error('driver')),
    });
    const h = makeHarness({ repository: later });
    const issued = await makeHarness({ repository: base }).service.issue({}, ANALYST);
    const principal = await h.service.verify(issued.token);
    expect(await messageOf(h.service.list({}, { principal }))).toBe('token storage is unavailable');
  });

  it('the directory, and the directory store', async () => {
    const directory = {
      getUser: () => {
        throw new Error('ldap');
      },
    };
    const base = makeHarness();
    const issued = await base.service.issue({}, ANALYST);
    const broken = makeHarness({ repository: base.repository, directory });
    expect(await messageOf(broken.service.verify(issued.token))).toBe('the directory is unavailable');
    const store = memoryDirectoryStore();
    const failing = Object.assign(Object.create(store) as typeof store, {
      listUsers: () => {
        throw new Error('driver');
      },
    });
    const h = makeHarness(withoutDirectory({ directoryStore: failing }));
    expect(await messageOf(h.service.directory.listUsers({ tenant: 'acme' }, 'system'))).toBe(
      'the directory store is unavailable',
    );
  });
});
