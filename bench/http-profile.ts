/**
 * Reads the V8 CPU profile of the benchmark's server process
 * (bench/http-server.ts run with `--cpu-prof`) and says how much of its CPU
 * went to tokenward's own HTTP layer per request.
 *
 * A sample counts as tokenward's when the innermost frame that belongs to
 * some script is in `src/` (the HTTP layer, an adapter, or the core code
 * they call: the guard's grant check) and the HTTP layer or an adapter is
 * on its stack (so the server's start-up, which issues a token, is not
 * counted). Frames of V8 built-ins (a regular
 * expression, `String.prototype.toLowerCase`) have no script and count for
 * the code that called them; Node's own modules (`node:`), the framework and
 * the benchmark's ready verifier are not ours. Garbage collection is
 * reported apart: it cannot be told whose allocations it collects.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where the server's sampled CPU went, in microseconds per request. */
export interface LayerProfile {
  /** Every sampled microsecond the process was not idle. */
  readonly busy: number;
  /** tokenward's own code and the built-ins it called. */
  readonly ours: number;
  readonly garbageCollection: number;
  /** tokenward's functions by their share, largest first. */
  readonly functions: readonly { readonly name: string; readonly micros: number }[];
}

const OURS = /\/src\//;
const LAYER = /\/src\/(?:http|express|fastify|fetch|hono)\//;

/**
 * The layer's share of the profile at `path`, divided by the `requests`
 * served while it ran. With `functionName`, the share is instead that of
 * the one function of that name (and the built-ins it called): the
 * benchmark's bare Express middleware, the floor of any authentication.
 */
export function layerProfile(path: string, requests: number, functionName?: string): LayerProfile {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  /** The frame a sample is charged to: the innermost one with a script, or the leaf when none has. */
  const owner = (leaf: number): ProfileNode => {
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (node.callFrame.url !== '') return node;
    }
    return byId.get(leaf)!;
  };
  const inLayer = (leaf: number): boolean => {
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      if (LAYER.test(byId.get(id)!.callFrame.url)) return true;
    }
    return false;
  };
  let busy = 0;
  let ours = 0;
  let garbageCollection = 0;
  const functions = new Map<string, number>();
  profile.samples.forEach((sample, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const leaf = byId.get(sample)!.callFrame.functionName;
    if (leaf === '(idle)') return;
    busy += micros;
    if (leaf === '(garbage collector)') garbageCollection += micros;
    const frame = owner(sample).callFrame;
    if (functionName !== undefined ? frame.functionName !== functionName : !OURS.test(frame.url) || !inLayer(sample)) {
      return;
    }
    ours += micros;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/src\//, 'src/')}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  });
  return {
    busy: busy / requests,
    ours: ours / requests,
    garbageCollection: garbageCollection / requests,
    functions: [...functions]
      .map(([name, micros]) => ({ name, micros: micros / requests }))
      .sort((a, b) => b.micros - a.micros),
  };
}
