/**
 * HTTP: requests per CPU-second of the server process on a guarded route
 * (token extracted, verified on the memory repository, grant checked)
 * against the same route with no guard, for Express and Fastify, over real
 * loopback sockets.
 *
 * The server runs in a child process of its own (bench/http-server.ts) and
 * autocannon (10 connections) in this one, so the CPU time read from the
 * child before and after each run is the server's alone. Each of
 * `BENCH_HTTP_ROUNDS` rounds (default 7, at least 5) measures the three
 * routes back to back, rotating which goes first; every ratio is the median
 * round with the min–max of the rounds. A third route runs the same
 * middleware with a verifier that returns a ready principal: the HTTP
 * layer's own cost without `service.verify`, printed in microseconds of
 * server CPU per request beyond the unguarded route. Wall-clock rates are
 * printed too, for information. Targets: Express ≥ 0.9×, Fastify ≥ 0.8×
 * (issue 12).
 *
 * `BENCH_HTTP_PROFILE=1` instead profiles the server (`--cpu-prof`) while it
 * serves only the ready-principal route, and prints tokenward's own CPU per
 * request from the profile (bench/http-profile.ts); `BENCH_HTTP_PROFILE_DIR`
 * keeps the `.cpuprofile` files there, for Chrome DevTools.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchModule } from './harness.js';
import { layerProfile } from './http-profile.js';
import type { ServerMessage } from './http-server.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1.5);
const ROUNDS = Math.max(5, Number(process.env.BENCH_HTTP_ROUNDS ?? 7));
const PROFILE_SECONDS = Number(process.env.BENCH_HTTP_PROFILE_SECONDS ?? 8);
const CONNECTIONS = 10;
const ROUTES = ['open', 'guarded', 'layer'] as const;
type Route = (typeof ROUTES)[number];
const FRAMEWORKS = (process.env.BENCH_HTTP_FRAMEWORKS?.split(",") ?? ["express", "fastify"]) as readonly ("express" | "fastify")[];
type Framework = (typeof FRAMEWORKS)[number];
/** Guarded against unguarded, per framework (issue 12). */
const TARGETS: Readonly<Record<Framework, number>> = { express: 0.9, fastify: 0.8 };
/** The HTTP layer's own server CPU per request (issue 12), in microseconds. */
const LAYER_TARGET_MICROS = 3;

/** The server child: its URL, the token to send, and its CPU time on demand. */
interface Server {
  readonly pid: number | undefined;
  readonly url: string;
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
  const { url, token } = await next('ready');
  return {
    pid: child.pid,
    url,
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
  const before = await server.cpuMicros();
  const result = await autocannon({
    url: `${server.url}/${route}`,
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

type Round = Record<Route, Measured>;

/** Median and min–max of some values, e.g. `2.1 µs (1.8 to 2.6)`. */
function spread(values: readonly number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? sorted[sorted.length >> 1]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `${median.toFixed(1)} ${unit} (${sorted[0]!.toFixed(1)} to ${sorted.at(-1)!.toFixed(1)})`;
}

async function compareRoutes(framework: Framework, report: Parameters<BenchModule>[0]): Promise<void> {
  const server = await startServer(framework);
  try {
    // Warm every route (JIT, connection setup) before measuring.
    for (const route of ROUTES) await measure(server, route, 1);
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const shift = round % ROUTES.length;
      const measured: Partial<Round> = {};
      for (const route of [...ROUTES.slice(shift), ...ROUTES.slice(0, shift)]) {
        measured[route] = await measure(server, route, SECONDS);
      }
      rounds.push(measured as Round);
    }
    const row = (route: Route, key: 'wall' | 'perCpuSecond', label: string): void => {
      const ratios = rounds.map((round) => round[route][key] / round.open[key]);
      const middle = [...rounds].sort((a, b) => a[route][key] / a.open[key] - b[route][key] / b.open[key])[
        rounds.length >> 1
      ]!;
      report({
        group: key === 'wall' ? 'http wall-clock' : 'http per server CPU-second',
        name: `${framework} ${label}`,
        value: middle[route][key],
        baselineName: 'same route unguarded',
        baseline: middle.open[key],
        unit: 'req/s',
        roundRatios: ratios,
        ...(route === 'guarded' ? { target: TARGETS[framework] } : {}),
      });
    };
    row('guarded', 'perCpuSecond', 'guarded route (tokenAuth + requireGrant)');
    row('layer', 'perCpuSecond', 'HTTP layer alone (ready principal, no verify)');
    row('guarded', 'wall', 'guarded route (tokenAuth + requireGrant)');
    const extra = (route: Route): number[] =>
      rounds.map((round) => 1e6 / round[route].perCpuSecond - 1e6 / round.open.perCpuSecond);
    console.log(
      `${framework}: server CPU per request beyond the unguarded route, median (min to max) of ${ROUNDS} rounds: ` +
        `HTTP layer ${spread(extra('layer'), 'µs')}, guarded route ${spread(extra('guarded'), 'µs')}; ` +
        `unguarded route ${spread(
          rounds.map((round) => 1e6 / round.open.perCpuSecond),
          'µs',
        )}`,
    );
  } finally {
    await server.stop();
  }
}

/** Profiles the server while it serves the ready-principal route only, and prints the layer's share. */
async function profileLayer(framework: Framework): Promise<void> {
  const keep = process.env.BENCH_HTTP_PROFILE_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'tokenward-http-profile-'));
  try {
    const server = await startServer(framework, dir);
    const { pid } = server;
    let requests = (await measure(server, 'layer', 1)).requests;
    requests += (await measure(server, 'layer', PROFILE_SECONDS)).requests;
    await server.stop();
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the main thread is 0 (tsx's loader has one too).
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && name.includes(`.${pid}.0.`));
    if (file === undefined) throw new Error('the server wrote no CPU profile');
    const found = layerProfile(join(dir, file), requests);
    const verdict = found.ours <= LAYER_TARGET_MICROS ? 'met' : 'MISSED';
    console.log(
      `${framework}: ${requests} requests profiled; server CPU per request ${found.busy.toFixed(1)} µs with start-up, ` +
        `of which tokenward's HTTP layer ${found.ours.toFixed(2)} µs (target ≤ ${LAYER_TARGET_MICROS} µs ${verdict}), ` +
        `garbage collection ${found.garbageCollection.toFixed(1)} µs`,
    );
    for (const { name, micros } of found.functions.slice(0, 12)) {
      console.log(`  ${micros.toFixed(3).padStart(7)} µs  ${name}`);
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const bench: BenchModule = async (report) => {
  for (const framework of FRAMEWORKS) {
    if (process.env.BENCH_HTTP_PROFILE === '1') await profileLayer(framework);
    else await compareRoutes(framework, report);
  }
};

export default bench;
