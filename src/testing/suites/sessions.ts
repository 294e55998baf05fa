/**
 * @internal Conformance: signed-out sessions (`findSession`,
 * `revokeSession`, `pruneRevokedSessions`), for stores that have them.
 */
import type { RevokedSession, TokenRepository } from '../../core/repository.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { race, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

type SessionMethod = 'findSession' | 'revokeSession' | 'pruneRevokedSessions';

export function sessionsContract(context: ContractContext): void {
  const { repo, fx, describe, it, concurrency } = context;
  /** A test that needs every session method: skipped on a store without them. */
  const sessionIt = (name: string, body: (store: Required<Pick<TokenRepository, SessionMethod>>) => Promise<void>) =>
    it(name, async function (this: unknown, ...args: unknown[]) {
      const store = repo();
      if (
        store.findSession === undefined ||
        store.revokeSession === undefined ||
        store.pruneRevokedSessions === undefined
      ) {
        return skipTest(this, args, 'the store cannot sign sessions out');
      }
      await body(store as Required<Pick<TokenRepository, SessionMethod>>);
    });
  const session = (overrides: Partial<RevokedSession> = {}): RevokedSession => ({
    id: fx().id('S'),
    tenant: fx().tenant,
    expiresAt: T0 + 60_000,
    ...overrides,
  });

  describe('sessions: sign-out', () => {
    sessionIt(
      'findSession answers the parent as findById does and whether the session was signed out',
      async (store) => {
        const parent = fx().token();
        await repo().insert(parent, { now: T0 });
        const signedOut = session();
        const live = session();
        expect(await store.findSession(signedOut.id, parent.id)).toEqual({ parent, revoked: false });
        expect(await store.revokeSession(signedOut)).toBe(true);
        expect(await store.findSession(signedOut.id, parent.id)).toEqual({ parent, revoked: true });
        expect(await store.findSession(live.id, parent.id)).toEqual({ parent, revoked: false });
        // The sign-out is found even when the token is gone.
        expect(await store.findSession(signedOut.id, fx().id())).toEqual({ parent: null, revoked: true });
      },
    );

    sessionIt('revokeSession is idempotent: the first call signs out, later ones answer false', async (store) => {
      const revoked = session();
      expect(await store.revokeSession(revoked)).toBe(true);
      expect(await store.revokeSession({ ...revoked, expiresAt: revoked.expiresAt + 1 })).toBe(false);
    });

    sessionIt(`of ${concurrency} concurrent sign-outs of one session exactly one answers true`, async (store) => {
      const revoked = session();
      const outcome = await race(concurrency, () => store.revokeSession(revoked));
      expect(outcome.codes).toEqual([]);
      expect(outcome.values.filter((value) => value)).toHaveLength(1);
    });

    sessionIt('pruneRevokedSessions deletes the records of sessions expired before the instant', async (store) => {
      const parent = fx().token();
      await repo().insert(parent, { now: T0 });
      const old = session({ expiresAt: T0 + 10 });
      const current = session({ expiresAt: T0 + 1_000 });
      await store.revokeSession(old);
      await store.revokeSession(current);
      expect(await store.pruneRevokedSessions(T0 + 10)).toBe(0);
      expect(await store.pruneRevokedSessions(T0 + 500)).toBe(1);
      expect(await store.findSession(old.id, parent.id)).toEqual({ parent, revoked: false });
      expect(await store.findSession(current.id, parent.id)).toEqual({ parent, revoked: true });
    });
  });
}
