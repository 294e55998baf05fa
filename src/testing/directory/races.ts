/**
 * @internal Directory conformance under concurrent calls: the checks and
 * writes of one call cannot interleave with another's, on any number of
 * connections.
 */
import { expect } from '../expect.js';
import { race } from '../fixtures.js';
import { auditOf, changed, type DirectoryContext } from './context.js';

export function racesContract({ store, fx, concurrency, describe, it }: DirectoryContext): void {
  describe(`races (${concurrency} concurrent calls)`, () => {
    it('concurrent inserts of one user: exactly one wins, the others are conflicts', async () => {
      const f = fx();
      const outcome = await race(concurrency, (i) =>
        store().insertUser(f.user('alice', { admin: i === 0 }), f.entry('alice')),
      );
      expect(outcome.values).toHaveLength(1);
      expect(outcome.codes).toEqual(Array(concurrency - 1).fill('conflict'));
      expect(await auditOf(store(), f.tenant)).toHaveLength(1);
      expect((await store().listUsers({ tenant: f.tenant, limit: 10 })).items).toHaveLength(1);
    });

    it('concurrent inserts of one role: exactly one wins', async () => {
      const f = fx();
      const outcome = await race(concurrency, () => store().insertRole(f.role('analysts'), f.entry('analysts')));
      expect(outcome.values).toHaveLength(1);
      expect(outcome.codes).toEqual(Array(concurrency - 1).fill('conflict'));
      expect(await auditOf(store(), f.tenant)).toHaveLength(1);
    });

    it('concurrent changes from one version: exactly one wins, and the stored user is the winner’s', async () => {
      const f = fx();
      const alice = f.user('alice');
      await store().insertUser(alice, f.entry('alice'));
      const versions = Array.from({ length: concurrency }, (_, i) => changed(alice, { grants: [{ scope: `s${i}` }] }));
      const outcome = await race(concurrency, (i) => store().updateUser(versions[i]!, 1, f.entry('alice')));
      expect(outcome.codes).toEqual([]);
      const winners = versions.filter((_, i) => outcome.values[i]);
      expect(winners).toHaveLength(1);
      expect(await store().findUser(f.tenant, 'alice')).toEqual(winners[0]);
      expect(await auditOf(store(), f.tenant)).toHaveLength(2);
    });

    it('concurrent deletes from one version: exactly one wins', async () => {
      const f = fx();
      await store().insertUser(f.user('alice'), f.entry('alice'));
      const outcome = await race(concurrency, () => store().deleteUser(f.tenant, 'alice', 1, f.entry('alice')));
      expect(outcome.values.filter(Boolean)).toHaveLength(1);
      expect(await store().findUser(f.tenant, 'alice')).toBeNull();
      expect(await auditOf(store(), f.tenant)).toHaveLength(2);
    });

    it('giving a role while it is removed never leaves a user holding a role that is gone', async () => {
      const f = fx();
      const pairs = Math.max(1, Math.floor(concurrency / 2));
      for (let i = 0; i < pairs; i++) {
        await store().insertRole(f.role(`r${i}`), f.entry(`r${i}`));
        await store().insertUser(f.user(`u${i}`), f.entry(`u${i}`));
      }
      const outcome = await race(pairs * 2, (call) => {
        const i = Math.floor(call / 2);
        return call % 2 === 0
          ? store().deleteRole(f.tenant, `r${i}`, 1, f.entry(`r${i}`))
          : store().updateUser(changed(f.user(`u${i}`), { roles: [`r${i}`] }), 1, f.entry(`u${i}`));
      });
      // The loser of each pair is refused: the removal as held, the change as naming a missing role.
      expect(outcome.values.filter((value) => value === false)).toEqual([]);
      for (const code of outcome.codes) expect(['conflict', 'not_found']).toContain(code);
      expect(outcome.codes).toHaveLength(pairs);
      for (let i = 0; i < pairs; i++) {
        const user = await store().findUser(f.tenant, `u${i}`);
        const role = await store().findRoles(f.tenant, [`r${i}`]);
        // Either the role is gone and the user never got it, or the user holds it and it stayed.
        expect(user?.roles).toEqual(role.length === 0 ? [] : [`r${i}`]);
      }
    });
  });
}
