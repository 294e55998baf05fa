/**
 * HTTP: requests per second of a guarded route (token extracted, verified
 * on the memory repository, grant checked) against the same route with no
 * guard, in the same process and the same run, for Express and Fastify.
 *
 * autocannon drives 10 connections over loopback. Each round measures the
 * routes back to back, rotating which goes first, and the printed figures
 * come from the round with the median ratio, so one noisy moment on a
 * shared machine does not decide them. Every figure is reported as
 * wall-clock requests per second and per second of process CPU time
 * (server and client share the process; CPU time holds steadier when other
 * work competes for the cores). A third route runs the same middleware with
 * a verifier that returns a ready principal: the HTTP layer's own cost,
 * without `service.verify`; the CPU it costs per request beyond the
 * unguarded route is printed in microseconds. Targets: Express ≥ 0.9×,
 * Fastify ≥ 0.8× (issue 12).
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import Fastify from 'fastify';
import { requireGrant as expressGuard, tokenAuth } from '../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../src/fastify/index.js';
import type { TokenVerifier } from '../src/http/authenticate.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';
import type { BenchModule } from './harness.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1.2);
const ROUNDS = 5;
const CONNECTIONS = 10;
const NEED = { bucket: 'in.c-csv-import', access: 'read' } as const;
const BODY = { rows: [{ id: 1, city: 'Prague' }] };
const ROUTES = ['open', 'guarded', 'layer'] as const;
type Route = (typeof ROUTES)[number];
/** Guarded against unguarded, per framework (issue 12). */
const TARGETS = { express: 0.9, fastify: 0.8 } as const;

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** `/open` unguarded; `/guarded` with the service; `/layer` with a verifier that returns a ready principal. */
type Start = (service: TokenVerifier, ready: TokenVerifier) => Promise<Served>;

const expressApp: Start = async (service, ready) => {
  const app = express();
  app.get('/open', (_req, res) => {
    res.json(BODY);
  });
  app.get('/guarded', tokenAuth(service), expressGuard(NEED), (_req, res) => {
    res.json(BODY);
  });
  app.get('/layer', tokenAuth(ready), expressGuard(NEED), (_req, res) => {
    res.json(BODY);
  });
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
  await app.register(async (scope) => {
    await scope.register(tokenward, { verifier: service });
    scope.get('/guarded', { preHandler: fastifyGuard(NEED) }, async () => BODY);
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { verifier: ready });
    scope.get('/layer', { preHandler: fastifyGuard(NEED) }, async () => BODY);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
};

/** One autocannon run: wall-clock requests per second, and requests per second of process CPU time. */
interface Measured {
  readonly wall: number;
  readonly perCpuSecond: number;
}

async function measure(url: string, token: string, seconds: number): Promise<Measured> {
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  const cpu = process.cpuUsage(cpuBefore);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`benchmark requests failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { wall: result.requests.average, perCpuSecond: result.requests.total / ((cpu.user + cpu.system) / 1e6) };
}

type Round = Record<Route, Measured>;

/** The round whose `route`/open ratio is the median one. */
function medianRound(rounds: readonly Round[], route: Route, key: keyof Measured): Round {
  const ratio = (round: Round): number => round[route][key] / round.open[key];
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bench: BenchModule = async (report) => {
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    prefix: 'acme',
    directory: staticDirectory({ acme: { bob: { grants: [NEED] } } }),
  });
  const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
  const principal = await service.verify(token);
  const ready: TokenVerifier = { verify: async () => principal };

  for (const [name, start] of [
    ['express', expressApp],
    ['fastify', fastifyApp],
  ] as const) {
    const served = await start(service, ready);
    try {
      // Warm every route (JIT, connection setup) before measuring.
      for (const route of ROUTES) await measure(`${served.url}/${route}`, token, 1);
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order = [...ROUTES.slice(round % ROUTES.length), ...ROUTES.slice(0, round % ROUTES.length)];
        const measured: Partial<Round> = {};
        for (const route of order) measured[route] = await measure(`${served.url}/${route}`, token, SECONDS);
        rounds.push(measured as Round);
      }
      const row = (route: Route, key: keyof Measured, label: string): void => {
        const median = medianRound(rounds, route, key);
        const ratios = rounds.map((round) => round[route][key] / round.open[key]);
        report({
          group: key === 'wall' ? 'http' : 'http per CPU-second',
          name: `${name} ${label}`,
          value: median[route][key],
          baselineName: 'same route unguarded',
          baseline: median.open[key],
          unit: 'req/s',
          roundRatios: ratios,
          target: TARGETS[name],
        });
      };
      row('guarded', 'wall', 'guarded route (tokenAuth + requireGrant)');
      row('guarded', 'perCpuSecond', 'guarded route (tokenAuth + requireGrant)');
      row('layer', 'perCpuSecond', 'HTTP layer alone (ready principal, no verify)');
      // The layer's own CPU per request: what the layer route costs beyond the unguarded one (the client's
      // share, in the same process, is the same for both routes and cancels out).
      const layerMicros = rounds
        .map((round) => 1e6 / round.layer.perCpuSecond - 1e6 / round.open.perCpuSecond)
        .sort((a, b) => a - b);
      console.log(
        `${name}: HTTP layer's own CPU per request, median of ${ROUNDS} rounds: ${layerMicros[ROUNDS >> 1]!.toFixed(1)} µs ` +
          `(${layerMicros[0]!.toFixed(1)} to ${layerMicros.at(-1)!.toFixed(1)})`,
      );
    } finally {
      await served.close();
    }
  }
};

export default bench;
