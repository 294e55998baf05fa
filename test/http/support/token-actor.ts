/**
 * The smallest app where tokens manage tokens: `tokenAuth` (Express, Hono),
 * the `tokenward` plugin (Fastify) or the handler's own authentication
 * (fetch) in front of the management API with its default actor, the
 * verified token. This is the setup the authority rule
 * must hold in without help from the app.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { managementRouter, tokenAuth } from '../../../src/express/index.js';
import { managementRoutes, tokenward } from '../../../src/fastify/index.js';
import { tokenAuth as fetchAuth, managementHandler } from '../../../src/fetch/index.js';
import { tokenAuth as honoAuth, managementRoutes as honoRoutes } from '../../../src/hono/index.js';
import type { TokenService } from '../../../src/service/token-service.js';
import { listen, type RunningServer, serveFetch as serve } from './app-parts.js';
import { REALM } from './fixture.js';

/** Starts the app on an ephemeral port; the management API is at `/manage`. */
export type StartTokenApp = (service: TokenService) => Promise<RunningServer>;

export const startExpressTokenApp: StartTokenApp = async (service) => {
  const app = express();
  app.use('/manage', tokenAuth(service, { realm: REALM }), managementRouter(service, { realm: REALM }));
  return listen(app.listen(0, '127.0.0.1'));
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

export const startFetchTokenApp: StartTokenApp = async (service) =>
  serve(managementHandler(service, { basePath: '/manage', realm: REALM, auth: fetchAuth(service, { realm: REALM }) }));

export const startHonoTokenApp: StartTokenApp = async (service) => {
  const app = new Hono();
  app.use('/manage/*', honoAuth(service, { realm: REALM }));
  app.route('/manage', honoRoutes(service, { realm: REALM }));
  return serve(async (request) => app.fetch(request));
};

export const TOKEN_APPS: readonly (readonly [string, StartTokenApp])[] = [
  ['express', startExpressTokenApp],
  ['fastify', startFastifyTokenApp],
  ['fetch', startFetchTokenApp],
  ['hono', startHonoTokenApp],
];
