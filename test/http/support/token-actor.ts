/**
 * The smallest app where tokens manage tokens: `tokenAuth` (Express) or the
 * `tokenward` plugin (Fastify) in front of the management API with its
 * default actor, the verified token. This is the setup the authority rule
 * must hold in without help from the app.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { managementRouter, tokenAuth } from '../../../src/express/index.js';
import { managementRoutes, tokenward } from '../../../src/fastify/index.js';
import type { TokenService } from '../../../src/service/token-service.js';
import { REALM } from './fixture.js';
import type { RunningServer } from './servers.js';

/** Starts the app on an ephemeral port; the management API is at `/manage`. */
export type StartTokenApp = (service: TokenService) => Promise<RunningServer>;

export const startExpressTokenApp: StartTokenApp = async (service) => {
  const app = express();
  app.use('/manage', tokenAuth(service, { realm: REALM }), managementRouter(service, { realm: REALM }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export const startFastifyTokenApp: StartTokenApp = async (service) => {
  const app = Fastify();
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier: service, realm: REALM });
      await scope.register(managementRoutes, { service, realm: REALM });
    },
    { prefix: '/manage' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
};

export const TOKEN_APPS: readonly (readonly [string, StartTokenApp])[] = [
  ['express', startExpressTokenApp],
  ['fastify', startFastifyTokenApp],
];
