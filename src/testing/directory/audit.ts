/** @internal Directory conformance: the audit log of a tenant. */
import type { DirectoryAuditEntry } from '../../core/directory-store.js';
import { expect } from '../expect.js';
import { T0 } from '../fixtures.js';
import { auditOf, changed, type DirectoryContext } from './context.js';

export function auditContract({ store, fx, describe, it }: DirectoryContext): void {
  describe('audit log', () => {
    it('keeps each write’s entry as given, newest first, per tenant', async () => {
      const f = fx();
      const written: DirectoryAuditEntry[] = [];
      const log = (entry: DirectoryAuditEntry): DirectoryAuditEntry => {
        written.push(entry);
        return entry;
      };
      const role = f.role('analysts', { grants: [{ component: 'kbc.ex-db', actions: ['run'] }] });
      await store().insertRole(role, log(f.entry('analysts', { action: 'role_added', at: T0 + 1 })));
      const alice = f.user('alice');
      await store().insertUser(
        alice,
        log(
          f.entry('alice', {
            at: T0 + 2,
            actor: 'system',
            changes: { admin: { from: null, to: false }, grants: { from: null, to: [{ scope: 'ünïcode ✓' }] } },
          }),
        ),
      );
      await store().updateUser(
        changed(alice, { roles: ['analysts'] }),
        1,
        log(
          f.entry('alice', {
            action: 'user_changed',
            at: T0 + 2,
            actor: 'token:01J0000000000000000000000',
            changes: { roles: { from: [], to: ['analysts'] } },
          }),
        ),
      );
      await store().insertUser(
        f.user('alice', { tenant: f.otherTenant }),
        f.entry('alice', { tenant: f.otherTenant, at: T0 + 9 }),
      );
      expect(await auditOf(store(), f.tenant)).toEqual([...written].reverse());
      // Paged one at a time: the same entries, in the same order.
      const paged: DirectoryAuditEntry[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: DirectoryAuditEntry[]; nextCursor: string | null } = await store().listAudit({
          tenant: f.tenant,
          limit: 1,
          cursor,
        });
        paged.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(paged).toEqual([...written].reverse());
      expect(await auditOf(store(), f.otherTenant)).toHaveLength(1);
    });
  });
}
