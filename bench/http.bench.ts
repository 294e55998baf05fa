/**
 * HTTP: requests per second of a guarded route (token extracted, verified
 * on the memory repository, grant checked) against the same route with no
 * guard, in the same process and the same run, for Express and Fastify.
 * autocannon drives 10 connections over loopback in seven adjacent pairs
 * of short runs (alternating which route goes first); the printed pair is
 * the one with the median ratio, so one noisy moment on a shared machine
 * does not decide the figure. Each figure is also reported per second of
 * process CPU time.
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import Fastify from 'fastify';
import { requireGrant as expressGuard, tokenAuth } from '../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../src/fastify/index.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { memoryRepository } from '../src/memory/index.js';
import { nodeHasher } from '../src/node/index.js';
import type { TokenService } from '../src/service-types.js';
import type { BenchModule } from './harness.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1.2);
const ROUNDS = 7;
const CONNECTIONS = 10;
const NEED = { bucket: 'in.c-csv-import', access: 'read' } as const;
const BODY = { rows: [{ id: 1, city: 'Prague' }] };

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

async function expressApp(service: TokenService): Promise<Served> {
  const app = express();
  app.get('/open', (_req, res) => {
    res.json(BODY);
  });
  app.get('/guarded', tokenAuth(service), expressGuard(NEED), (_req, res) => {
    res.json(BODY);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function fastifyApp(service: TokenService): Promise<Served> {
  const app = Fastify();
  app.get('/open', async () => BODY);
  await app.register(async (scope) => {
    await scope.register(tokenward, { verifier: service });
    scope.get('/guarded', { preHandler: fastifyGuard(NEED) }, async () => BODY);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}

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

const bench: BenchModule = async (report) => {
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    prefix: 'acme',
    directory: staticDirectory({ acme: { bob: { grants: [NEED] } } }),
    hasher: nodeHasher,
  });
  const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');

  for (const [name, start] of [
    ['express', expressApp],
    ['fastify', fastifyApp],
  ] as const) {
    const served = await start(service);
    try {
      // Warm both routes (JIT, connection setup) before measuring.
      await measure(`${served.url}/open`, token, 1);
      await measure(`${served.url}/guarded`, token, 1);
      // Adjacent pairs, in alternating order so a drift in the machine's load hits both sides alike.
      const pairs: { open: Measured; guarded: Measured }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          const open = await measure(`${served.url}/open`, token, SECONDS);
          pairs.push({ open, guarded: await measure(`${served.url}/guarded`, token, SECONDS) });
        } else {
          const guarded = await measure(`${served.url}/guarded`, token, SECONDS);
          pairs.push({ open: await measure(`${served.url}/open`, token, SECONDS), guarded });
        }
      }
      const median = (key: keyof Measured): { open: Measured; guarded: Measured } => {
        const sorted = [...pairs].sort((a, b) => a.guarded[key] / a.open[key] - b.guarded[key] / b.open[key]);
        return sorted[Math.floor(sorted.length / 2)]!;
      };
      const byWall = median('wall');
      report({
        group: 'http',
        name: `${name} guarded route (tokenAuth + requireGrant)`,
        value: byWall.guarded.wall,
        baselineName: 'same route unguarded',
        baseline: byWall.open.wall,
        unit: 'req/s',
        target: 0.9,
      });
      // The same runs per second of CPU time (server and client share the process).
      const byCpu = median('perCpuSecond');
      report({
        group: 'http',
        name: `${name} guarded route, per CPU-second`,
        value: byCpu.guarded.perCpuSecond,
        baselineName: 'same route unguarded',
        baseline: byCpu.open.perCpuSecond,
        unit: 'req/s',
        target: 0.9,
      });
    } finally {
      await served.close();
    }
  }
};

export default bench;
