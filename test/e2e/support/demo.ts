/**
 * `npm run demo` as a child process on a fresh store and a free port: the
 * page under test is the one the demo serves.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;

export interface RunningDemo {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The admin token the demo prints on first start. */
  readonly adminToken: string;
  /** Everything the demo printed so far. */
  output(): string;
  /** GET /api/whoami with a token: the status tells whether the token verifies. */
  whoami(token: string): Promise<number>;
  /** A call to the page's API as the browser makes it (Origin, JSON), with a given session cookie. */
  pageApi(method: string, path: string, cookie: string, body?: unknown): Promise<number>;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<RunningDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenward-e2e-'));
  const child: ChildProcess = spawn(join(root, 'node_modules/.bin/tsx'), ['examples/demo.ts'], {
    cwd: root,
    env: { ...process.env, DEMO_DATA_DIR: dataDir, PORT: '0', DEMO_ONCE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${output}`)), 90_000);
    const look = (): void => {
      const match = /Serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}):\n${output}`));
    });
  });
  const admin = /Admin token \(shown this once; keep it\):\s+(\S+)/.exec(output);
  if (admin === null) throw new Error(`no admin token in the demo's output:\n${output}`);
  return {
    base,
    adminToken: admin[1]!,
    output: () => output,
    async whoami(token) {
      const response = await fetch(`${base}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      return response.status;
    },
    async pageApi(method, path, cookie, body) {
      const response = await fetch(`${base}/page${path}`, {
        method,
        headers: { cookie: `tw_page=${cookie}`, origin: base, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
