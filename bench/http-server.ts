/**
 * The server side of bench/http.bench.ts, in a process of its own so that
 * its CPU time is the server's alone (autocannon, the client, runs in the
 * parent). `node --import tsx bench/http-server.ts express|fastify` serves
 * three routes on a free loopback port:
 *
 * - `/open`: the route with no tokenward at all (the baseline);
 * - `/guarded`: the one-layer guarded route (Express
 *   `tokenAuth(service, { need })`, Fastify's plugin with the route's
 *   `config.tokenward.need`), with `service.verify` on a memory repository
 *   (opaque token, default hasher);
 * - `/guarded-two`: the two-layer form (`tokenAuth` / the plugin, then
 *   `requireGrant`), with `service.verify`;
 * - `/layer`, `/layer-two`: the same two forms with a verifier that returns
 *   a ready principal: extraction, the RFC 6750 checks, principal
 *   attachment, the guard and the framework plumbing, without
 *   `service.verify`;
 * - `/attach` (Express only): a bare middleware of the benchmark that only
 *   reads the two request fields extraction needs and puts a principal on
 *   `req.tokenPrincipal`, the floor any Express authentication pays.
 *
 * It tells the parent `{ kind: 'ready', url, token }` over IPC, answers the
 * message `'cpu'` with its `process.cpuUsage()`, and exits on `'stop'`
 * (which also writes its CPU profile when started with `--cpu-prof`).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { requireGrant as expressGuard, tokenAuth } from '../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../src/fastify/index.js';
import type { TokenVerifier } from '../src/http/authenticate.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';

const NEED = { bucket: 'in.c-csv-import', access: 'read' } as const;
const BODY = { rows: [{ id: 1, city: 'Prague' }] };

/** What the parent hears from this process. */
export type ServerMessage =
  | { readonly kind: 'ready'; readonly url: string; readonly token: string }
  | { readonly kind: 'cpu'; readonly usage: NodeJS.CpuUsage };

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

type Start = (service: TokenVerifier, ready: TokenVerifier, principal: unknown) => Promise<Served>;

/**
 * What a bare Express authentication middleware cannot avoid: the two
 * request fields extraction reads, one property put on the request, next().
 * (A named function, so the profile can tell it apart.)
 */
function attachOnly(principal: unknown): express.RequestHandler {
  return function attachOnlyMiddleware(req, _res, next) {
    if (req.rawHeaders.length === 0 || req.originalUrl === '') throw new Error('unexpected request');
    (req as unknown as { tokenPrincipal: unknown }).tokenPrincipal = principal;
    next();
  };
}

const expressApp: Start = async (service, ready, principal) => {
  const app = express();
  const answer: express.RequestHandler = (_req, res) => {
    res.json(BODY);
  };
  app.get('/open', answer);
  app.get('/guarded', tokenAuth(service, { need: NEED }), answer);
  app.get('/guarded-two', tokenAuth(service), expressGuard(NEED), answer);
  app.get('/layer', tokenAuth(ready, { need: NEED }), answer);
  app.get('/layer-two', tokenAuth(ready), expressGuard(NEED), answer);
  app.get('/attach', attachOnly(principal), answer);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const fastifyApp: Start = async (service, ready) => {
  const app = Fastify();
  app.get('/open', async () => BODY);
  // Each route in a scope of its own, as an app would have them (every request reads its route's
  // config, with config.tokenward or without).
  for (const [verifier, one, two] of [
    [service, '/guarded', '/guarded-two'],
    [ready, '/layer', '/layer-two'],
  ] as const) {
    await app.register(async (scope) => {
      await scope.register(tokenward, { verifier });
      scope.get(one, { config: { tokenward: { need: NEED } } }, async () => BODY);
    });
    await app.register(async (scope) => {
      await scope.register(tokenward, { verifier });
      scope.get(two, { preHandler: fastifyGuard(NEED) }, async () => BODY);
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
};

const APPS: Readonly<Record<string, Start>> = { express: expressApp, fastify: fastifyApp };

async function main(): Promise<void> {
  const start = APPS[process.argv[2] ?? ''];
  if (start === undefined || process.send === undefined) {
    throw new Error('usage: a child of bench/http.bench.ts, with the argument express or fastify');
  }
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    prefix: 'acme',
    directory: staticDirectory({ acme: { bob: { grants: [NEED] } } }),
  });
  const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
  const principal = await service.verify(token);
  const ready: TokenVerifier = { verify: () => Promise.resolve(principal) };
  const served = await start(service, ready, principal);
  const send = (message: ServerMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message) => {
    if (message === 'cpu') send({ kind: 'cpu', usage: process.cpuUsage() });
    else if (message === 'stop') void served.close().then(() => process.exit(0));
  });
  // The parent going away ends this process too.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', url: served.url, token });
}

await main();
