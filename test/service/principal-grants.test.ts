/**
 * A principal's grants are read-only, all the way down: an owner's grants
 * as the directory answers them (`staticDirectory` hands out the
 * application's own table) are copied into the principal, so its holder
 * cannot change the directory through it, and a later change of the
 * directory does not change a principal already made.
 */
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../src/core/types.js';
import { ValueBucketGrant } from '../support/grant-objects.js';
import { ANALYST, makeHarness } from '../support/service.js';

function frozenThrough(grants: unknown): boolean {
  if (grants === 'all') return true;
  const list = grants as Grant[];
  return (
    Object.isFrozen(list) &&
    list.every((grant) => Object.isFrozen(grant) && (!('actions' in grant) || Object.isFrozen(grant.actions)))
  );
}

describe('principal grants', () => {
  it('are frozen through, not the directory table, and cannot be widened by their holder', async () => {
    const { service, users } = makeHarness();
    const table = users.acme!.analyst!.grants as Grant[];
    users.acme!.analyst!.grants = [...table, { component: 'keboola.ex-db', actions: ['run'] }];
    const { token } = await service.issue({}, ANALYST);
    const principal = await service.verify(token);
    expect(principal.grants).not.toBe(users.acme!.analyst!.grants);
    expect(frozenThrough(principal.grants)).toBe(true);
    const wider: Grant = { bucket: 'out.c-secret', access: 'write' };
    expect(() => (principal.grants as Grant[]).push(wider)).toThrow(TypeError);
    expect(() => {
      (principal.grants as unknown as { access?: string }[])[1]!.access = 'write';
    }).toThrow(TypeError);
    const again = await service.verify(token);
    expect(again.can(wider)).toBe(false);
    expect(again.can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(true);
  });

  it('keep what the directory said when the principal was made', async () => {
    const { service, users } = makeHarness();
    const { token } = await service.issue({}, ANALYST);
    const principal = await service.verify(token);
    (users.acme!.analyst!.grants as Grant[]).push({ bucket: 'out.c-secret', access: 'write' });
    expect(principal.can({ bucket: 'out.c-secret', access: 'write' })).toBe(false);
    // The next verification follows the directory live (SPEC: live owner privileges).
    expect((await service.verify(token)).can({ bucket: 'out.c-secret', access: 'write' })).toBe(true);
  });

  it('of a limited token and of an admin are read-only too', async () => {
    const { service } = makeHarness();
    const limited = await service.issue({ type: 'limited', grants: [{ scope: 'reports' }] }, ANALYST);
    expect(frozenThrough((await service.verify(limited.token)).grants)).toBe(true);
    const admin = await service.issue({}, { tenant: 'acme', user: 'alice' });
    expect((await service.verify(admin.token)).grants).toBe('all');
  });

  // Outside review, issue 12: a directory answering with frozen value objects whose fields still change.
  it('keep what a directory of frozen value objects said, and hand none of its objects out', async () => {
    const { service, users } = makeHarness();
    const grant = new ValueBucketGrant('in.c-csv-import');
    users.acme!.analyst!.grants = Object.freeze([grant as unknown as Grant]) as Grant[];
    const { token } = await service.issue({}, ANALYST);
    const principal = await service.verify(token);
    expect((principal.grants as readonly unknown[])[0]).not.toBe(grant);
    grant.promote();
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(false);
    expect((await service.verify(token)).can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(true);
  });

  it('of a directory list with a hole fail closed (unavailable)', async () => {
    const { service, users } = makeHarness();
    const { token } = await service.issue({}, ANALYST);
    const holed: Grant[] = [];
    holed[1] = { scope: 'reports' };
    users.acme!.analyst!.grants = holed;
    await expect(service.verify(token)).rejects.toMatchObject({ code: 'unavailable' });
  });
});
