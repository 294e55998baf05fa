/**
 * Session sign-out (issue 8's "session / revoke: itself", issue 13): a
 * session from `exchange` revokes itself and nothing else; the signed-out
 * session is refused by `verify` and as an actor, on every service sharing
 * the storage; its record is pruned once the session is dead anyway.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { SIGN_OUT_MARGIN_MS } from '../../src/service/maintenance.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { expectCode } from '../support/errors.js';
import { ALICE, ANALYST } from '../support/service.js';
import { sessionHarness, sessionKeys } from '../support/sessions.js';

describe('session sign-out', () => {
  it('a session revoking its own id ends that session alone; its token and other sessions go on', async () => {
    const { service } = await sessionHarness();
    const { token, info } = await service.issue({ name: 'parent' }, ANALYST);
    const first = await service.exchange(token, { ttl: '10m' });
    const second = await service.exchange(token, { ttl: '10m' });
    const principal = await service.verify(first.token);
    expect(principal.session?.id).toBe(first.sessionId);
    const answer = await service.revoke(first.sessionId, { principal });
    expect(answer).toMatchObject({ id: info.id, status: 'active' });
    await expectCode(service.verify(first.token), 'token_revoked');
    expect((await service.verify(second.token)).session?.id).toBe(second.sessionId);
    expect((await service.verify(token)).tokenId).toBe(info.id);
  });

  it('a signed-out session no longer acts, even through a principal verified before', async () => {
    const { service } = await sessionHarness();
    const { token } = await service.issue({ name: 'parent' }, ANALYST);
    const session = await service.exchange(token);
    const principal = await service.verify(session.token);
    await service.list({}, { principal });
    await service.revoke({ id: session.sessionId }, { principal });
    await expectCode(service.list({}, { principal }), 'token_revoked');
    // Signing out twice: the session no longer verifies, so it cannot act again.
    await expectCode(service.revoke(session.sessionId, { principal }), 'token_revoked');
  });

  it('a session revokes nothing else: not its token, not another session, not a sibling', async () => {
    const { service } = await sessionHarness();
    const { token, info } = await service.issue({ name: 'parent' }, ANALYST);
    const sibling = await service.issue({ name: 'sibling' }, ANALYST);
    const session = await service.exchange(token);
    const other = await service.exchange(token);
    const principal = await service.verify(session.token);
    await expectCode(service.revoke(info.id, { principal }), 'forbidden');
    await expectCode(service.revoke(sibling.info.id, { principal }), 'forbidden');
    await expectCode(service.revoke(other.sessionId, { principal }), 'not_found');
    expect((await service.verify(other.token)).session?.id).toBe(other.sessionId);
  });

  it('another service on the same storage refuses the signed-out session at once', async () => {
    const repository = memoryRepository();
    const keys = await sessionKeys();
    const a = await sessionHarness({ repository }, keys);
    const b = await sessionHarness({ repository }, keys);
    const { token } = await a.service.issue({ name: 'parent' }, ANALYST);
    const session = await a.service.exchange(token);
    expect((await b.service.verify(session.token)).session?.id).toBe(session.sessionId);
    await a.service.revoke(session.sessionId, { principal: await a.service.verify(session.token) });
    await expectCode(b.service.verify(session.token), 'token_revoked');
  });

  it('prunes sign-out records an hour after the session expired, not before', async () => {
    const h = await sessionHarness();
    const { token } = await h.service.issue({ name: 'parent' }, ALICE);
    const session = await h.service.exchange(token, { ttl: '5m' });
    await h.service.revoke(session.sessionId, { principal: await h.service.verify(session.token) });
    h.clock.advance(5 * 60_000 + SIGN_OUT_MARGIN_MS - 1);
    expect(await h.service.pruneRevokedSessions()).toBe(0);
    h.clock.advance(2);
    expect(await h.service.pruneRevokedSessions()).toBe(1);
  });

  it('refuses sessions on a repository that cannot record sign-outs, naming repository', async () => {
    const { findSession: _, ...withoutSessions } = memoryRepository() as Required<TokenRepository>;
    await expectCode(sessionHarness({ repository: withoutSessions }), 'invalid_request', { field: 'repository' });
  });
});
