/**
 * HTTP: requests per CPU-second of the server process on a guarded route
 * (token extracted, verified on the memory repository, grant checked)
 * against the same route with no guard, for Express and Fastify, over real
 * loopback sockets.
 *
 * The server runs in a child process of its own (bench/http-server.ts),
 * each route in an app of its own (so no route pays for path matches of
 * the routes declared before it), and autocannon (10 connections) in this
 * one, so the CPU time read from the child before and after each run is
 * the server's alone. Each round measures every route back to back,
 * rotating which goes first; every ratio is the median round with the
 * min–max of the rounds. Express gets 15 rounds and Fastify 9
 * (`BENCH_HTTP_ROUNDS` sets both, at least 5). The guarded route is
 * measured in the one-layer form (Express `tokenAuth(service, { need })`,
 * Fastify's route `config.tokenward.need`) and in the two-layer form
 * (`requireGrant` behind the authentication), and against a hand-written
 * guard (header, `verify`, `can`). The unguarded route is also measured a
 * second time as if it were a candidate: that ratio, ideally 1, shows how
 * far the method itself swings. Two more routes run the same
 * middleware with a verifier that returns a ready principal: the HTTP
 * layer's cost without `service.verify`, printed in microseconds of server
 * CPU per request beyond the unguarded route. Wall-clock rates are printed
 * too, for information. Targets: Express ≥ 0.9×, Fastify ≥ 0.8× (issue 12).
 *
 * Then the server is profiled (`--cpu-prof`) while it serves only a
 * ready-principal route, once per form, and tokenward's own CPU per request
 * is read from the profile (bench/http-profile.ts): the measure of
 * "the HTTP layer's own work" (target ≤ 3 µs), printed beside the
 * difference figure. On Express a third profile serves a bare middleware
 * of the benchmark that only puts a principal on the request: what Express
 * charges any authentication for that. `BENCH_HTTP_PROFILE=1` runs the
 * profiles alone; `BENCH_HTTP_PROFILE_DIR` keeps the `.cpuprofile` files
 * there, for Chrome DevTools; `BENCH_HTTP_FRAMEWORKS=express` (or
 * `fastify`) measures one framework.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchModule } from './harness.js';
import { type LayerProfile, layerProfile } from './http-profile.js';
import type { ServerMessage } from './http-server.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1.5);
type Framework = 'express' | 'fastify';
/**
 * Rounds per framework. Express's rounds swing more (its unguarded route
 * costs five times Fastify's, a sixth of it garbage collection), so it gets
 * more of them: the median of 15 is about as steady as one of 7 Fastify
 * rounds. `BENCH_HTTP_ROUNDS` sets both (at least 5).
 */
const ROUNDS: Readonly<Record<Framework, number>> = {
  express: Math.max(5, Number(process.env.BENCH_HTTP_ROUNDS ?? 15)),
  fastify: Math.max(5, Number(process.env.BENCH_HTTP_ROUNDS ?? 9)),
};
const PROFILE_SECONDS = Number(process.env.BENCH_HTTP_PROFILE_SECONDS ?? 8);
const CONNECTIONS = 10;
const ROUTES = ['open', 'open-again', 'guarded', 'guarded-two', 'by-hand', 'layer', 'layer-two'] as const;
type Route = (typeof ROUTES)[number] | 'attach' | 'layer-now';
const FRAMEWORKS: readonly Framework[] = (['express', 'fastify'] as const).filter(
  (framework) => process.env.BENCH_HTTP_FRAMEWORKS?.split(',').includes(framework) ?? true,
);
/** Guarded against unguarded, per framework (issue 12). */
const TARGETS: Readonly<Record<Framework, number>> = { express: 0.9, fastify: 0.8 };
/** The HTTP layer's own server CPU per request (issue 12), in microseconds. */
const LAYER_TARGET_MICROS = 3;

/** The server child: each route's URL, the token to send, and its CPU time on demand. */
interface Server {
  readonly pid: number | undefined;
  readonly urls: Readonly<Record<string, string>>;
  readonly token: string;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(framework: Framework, cpuProfileDir?: string): Promise<Server> {
  const profiling = cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir];
  const child: ChildProcess = fork(new URL('./http-server.ts', import.meta.url), [framework], {
    execArgv: ['--import', 'tsx', ...profiling],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <K extends ServerMessage['kind']>(kind: K): Promise<Extract<ServerMessage, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ServerMessage): void => {
        if (message.kind !== kind) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message as Extract<ServerMessage, { kind: K }>);
      };
      const onExit = (code: number | null): void => reject(new Error(`the ${framework} server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { urls, token } = await next('ready');
  return {
    pid: child.pid,
    urls,
    token,
    async cpuMicros() {
      const reply = next('cpu');
      child.send('cpu');
      const { usage } = await reply;
      return usage.user + usage.system;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** One autocannon run: wall-clock requests per second, requests per CPU-second of the server, and the count. */
interface Measured {
  readonly wall: number;
  readonly perCpuSecond: number;
  readonly requests: number;
}

async function measure(server: Server, route: Route, seconds: number): Promise<Measured> {
  const url = server.urls[route];
  if (url === undefined) throw new Error(`the server has no route ${route}`);
  const before = await server.cpuMicros();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${server.token}` },
  });
  const cpu = (await server.cpuMicros()) - before;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`benchmark requests failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const requests = result.requests.total;
  return { wall: result.requests.average, perCpuSecond: requests / (cpu / 1e6), requests };
}

/** What each profiled layer route is, as printed. */
const LAYER_ROUTES = {
  layer: 'one layer (a verifier answering through a promise)',
  'layer-now': "one layer (a token service's synchronous answer)",
  'layer-two': 'two layers',
} as const;

type Round = Record<(typeof ROUTES)[number], Measured>;

/** Median and min–max of some values, e.g. `2.1 µs (1.8 to 2.6)`. */
function spread(values: readonly number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? sorted[sorted.length >> 1]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `${median.toFixed(1)} ${unit} (${sorted[0]!.toFixed(1)} to ${sorted.at(-1)!.toFixed(1)})`;
}

const LABELS: Readonly<Record<Exclude<Route, 'open' | 'attach' | 'layer-now'>, string>> = {
  'open-again': "unguarded route again (the method's own noise)",
  guarded: 'guarded route, one layer',
  'guarded-two': 'guarded route, two layers (+ requireGrant)',
  'by-hand': 'hand-written guard (Bearer header, verify, can)',
  layer: 'HTTP layer alone, one layer (ready principal)',
  'layer-two': 'HTTP layer alone, two layers (ready principal)',
};

/** The interleaved rounds of every route on one server. */
async function measureRounds(server: Server, count: number): Promise<Round[]> {
  // Warm every route (JIT, connection setup) before measuring.
  for (const route of ROUTES) await measure(server, route, 1);
  const rounds: Round[] = [];
  for (let round = 0; round < count; round++) {
    const shift = round % ROUTES.length;
    const measured: Partial<Round> = {};
    for (const route of [...ROUTES.slice(shift), ...ROUTES.slice(0, shift)]) {
      measured[route] = await measure(server, route, SECONDS);
    }
    rounds.push(measured as Round);
  }
  return rounds;
}

/** Reports each route's ratio to the unguarded one, and prints the server CPU per request each adds. */
function reportRounds(framework: Framework, rounds: readonly Round[], report: Parameters<BenchModule>[0]): void {
  const row = (route: keyof typeof LABELS, key: 'wall' | 'perCpuSecond'): void => {
    const ratio = (round: Round): number => round[route][key] / round.open[key];
    const middle = [...rounds].sort((a, b) => ratio(a) - ratio(b))[rounds.length >> 1]!;
    report({
      group: key === 'wall' ? 'http wall-clock' : 'http per server CPU-second',
      name: `${framework} ${LABELS[route]}`,
      value: middle[route][key],
      baselineName: 'same route unguarded',
      baseline: middle.open[key],
      unit: 'req/s',
      roundRatios: rounds.map(ratio),
      ...(route === 'guarded' || route === 'guarded-two' ? { target: TARGETS[framework] } : {}),
    });
  };
  for (const route of Object.keys(LABELS) as (keyof typeof LABELS)[]) row(route, 'perCpuSecond');
  row('guarded', 'wall');
  row('guarded-two', 'wall');
  // Against the least an app would write by hand: what tokenward's layer costs beyond it.
  const byHand = (round: Round): number => round.guarded.perCpuSecond / round['by-hand'].perCpuSecond;
  const middle = [...rounds].sort((a, b) => byHand(a) - byHand(b))[rounds.length >> 1]!;
  report({
    group: 'http per server CPU-second',
    name: `${framework} guarded route, one layer, against the hand-written guard`,
    value: middle.guarded.perCpuSecond,
    baselineName: 'hand-written guard',
    baseline: middle['by-hand'].perCpuSecond,
    unit: 'req/s',
    roundRatios: rounds.map(byHand),
  });
  const extra = (route: keyof typeof LABELS): string =>
    spread(
      rounds.map((round) => 1e6 / round[route].perCpuSecond - 1e6 / round.open.perCpuSecond),
      'µs',
    );
  console.log(
    `${framework}: server CPU per request beyond the unguarded route, median (min to max) of ${rounds.length} rounds: ` +
      `HTTP layer ${extra('layer')} one layer, ${extra('layer-two')} two layers; ` +
      `guarded route ${extra('guarded')} one layer, ${extra('guarded-two')} two layers; ` +
      `unguarded route ${spread(
        rounds.map((round) => 1e6 / round.open.perCpuSecond),
        'µs',
      )}`,
  );
}

/** The profiled share of one route: tokenward's HTTP layer, or (for `attach`) the benchmark's bare middleware. */
async function profileRoute(
  framework: Framework,
  route: Route,
  dir: string,
): Promise<LayerProfile & { requests: number }> {
  const server = await startServer(framework, dir);
  const { pid } = server;
  let requests = (await measure(server, route, 1)).requests;
  requests += (await measure(server, route, PROFILE_SECONDS)).requests;
  await server.stop();
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the main thread is 0 (tsx's loader has one too).
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && name.includes(`.${pid}.0.`));
  if (file === undefined) throw new Error('the server wrote no CPU profile');
  const found = layerProfile(join(dir, file), requests, route === 'attach' ? 'attachOnlyMiddleware' : undefined);
  return { ...found, requests };
}

/** Profiles the server on each ready-principal route and prints the layer's own share (issue 12's measure). */
async function profileLayer(framework: Framework): Promise<void> {
  const keep = process.env.BENCH_HTTP_PROFILE_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'tokenward-http-profile-'));
  try {
    const routes: Route[] =
      framework === 'express' ? ['layer', 'layer-now', 'layer-two', 'attach'] : ['layer', 'layer-now', 'layer-two'];
    for (const route of routes) {
      const found = await profileRoute(framework, route, dir);
      const what =
        route === 'attach'
          ? "a bare middleware that only attaches a principal (Express's floor, not tokenward)"
          : `tokenward's HTTP layer, ${LAYER_ROUTES[route as keyof typeof LAYER_ROUTES]}`;
      const met = found.ours <= LAYER_TARGET_MICROS ? 'met' : 'MISSED';
      const verdict = route === 'attach' ? '' : ` (target ≤ ${LAYER_TARGET_MICROS} µs ${met})`;
      console.log(
        `${framework} by profile: ${found.requests} requests; server CPU per request ${found.busy.toFixed(1)} µs ` +
          `with start-up, of which ${what} ${found.ours.toFixed(2)} µs${verdict}, ` +
          `garbage collection ${found.garbageCollection.toFixed(1)} µs`,
      );
      for (const { name, micros } of found.functions.slice(0, 8)) {
        console.log(`  ${micros.toFixed(3).padStart(7)} µs  ${name}`);
      }
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const bench: BenchModule = async (report) => {
  for (const framework of FRAMEWORKS) {
    if (process.env.BENCH_HTTP_PROFILE !== '1') {
      const server = await startServer(framework);
      try {
        reportRounds(framework, await measureRounds(server, ROUNDS[framework]), report);
      } finally {
        await server.stop();
      }
    }
    await profileLayer(framework);
  }
};

export default bench;
