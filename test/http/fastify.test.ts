import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { introspectionRoute, managementRoutes } from '../../src/fastify/index.js';
import { behaviourSuite } from './behaviour.js';
import { updateBehaviourSuite } from './behaviour-update.js';
import { ALICE, BOB, issue, makeFixture } from './support/fixture.js';
import { bearer, call } from './support/http.js';
import { startFastify } from './support/servers.js';

describe('Fastify: shared HTTP behaviour', () => behaviourSuite(startFastify));
describe('Fastify: shared HTTP behaviour of updates, enable/disable and expiring tokens', () =>
  updateBehaviourSuite(startFastify));

describe('Fastify: an app that parses forms itself', () => {
  it('RFC 7009 and RFC 7662 form bodies still work, read by the plugins themselves', async () => {
    const fixture = makeFixture();
    const app = Fastify();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    await app.register(managementRoutes, { service: fixture.service, prefix: '/manage' });
    await app.register(introspectionRoute, { verifier: fixture.service, prefix: '/introspect' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const admin = await issue(fixture.service, ALICE, { type: 'administrative', name: 'forms' });
      const bob = await issue(fixture.service, BOB);
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const described = await call(`${url}`, '/introspect', {
        method: 'POST',
        headers: { ...form, ...bearer(admin.token) },
        body: `token=${bob.token}`,
      });
      expect(described.body).toMatchObject({ active: true, sub: 'bob' });
      const revoked = await call(url, '/manage/revoke', { method: 'POST', headers: form, body: `token=${bob.token}` });
      expect(revoked.status).toBe(200);
      await expect(fixture.service.verify(bob.token)).rejects.toMatchObject({ code: 'token_revoked' });
    } finally {
      await app.close();
    }
  });
});
