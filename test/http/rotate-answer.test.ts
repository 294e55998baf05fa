/**
 * The management API's rotate answers when the old secret stops working
 * (`graceEndsAt`, `rotate`'s own answer: the stored `previousExpiresAt`),
 * on every framework, over real sockets; its OpenAPI schema says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenService } from '../../src/service/token-service.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { CAROL, issue, makeFixture } from './support/fixture.js';
import { bearer, call, json } from './support/http.js';
import type { RunningServer } from './support/servers.js';
import { TOKEN_APPS } from './support/token-actor.js';

describe.each(TOKEN_APPS)('%s: POST /tokens/:id/rotate', (_name, start) => {
  let service: TokenService;
  let server: RunningServer;
  const repository: TokenRepository = memoryRepository();
  beforeAll(async () => {
    service = makeFixture({ repository }).service;
    server = await start(service);
  });
  afterAll(() => server.close());

  it('answers graceEndsAt: the stored end of the old secret, or null without a grace period', async () => {
    const actor = await issue(service, CAROL, { name: 'actor', ttl: '30d' });
    const target = await issue(service, CAROL, { name: 'target', ttl: '7d' });
    const graced = await call(
      server.url,
      `/manage/tokens/${target.id}/rotate`,
      json('POST', { gracePeriod: '1h' }, bearer(actor.token)),
    );
    expect(graced.status).toBe(200);
    const stored = await repository.findById(target.id);
    expect(graced.body.graceEndsAt).toBe(new Date(stored!.previousExpiresAt!).toISOString());
    const plain = await call(server.url, `/manage/tokens/${target.id}/rotate`, json('POST', {}, bearer(actor.token)));
    expect([plain.status, plain.body.graceEndsAt]).toEqual([200, null]);
  });
});
