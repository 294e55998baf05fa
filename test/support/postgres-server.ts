/**
 * Starts and stops a throwaway PostgreSQL server for the tests and the
 * benchmarks: `initdb` in a temporary directory, a free loopback port, the
 * unix socket inside that directory, `pg_ctl start -w`, and everything
 * removed again on `destroy()`.
 *
 * PostgreSQL refuses to run as root. When we are root, the server runs as an
 * unprivileged OS user (`postgres` if it exists, otherwise one we create),
 * which owns the temporary directory.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running throwaway server. */
export interface LocalPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  readonly url: string;
  readonly port: number;
  readonly database: string;
  /** The temporary directory holding the data directory, the socket and the log. */
  readonly root: string;
  /** Stops the server (fast shutdown: open connections are terminated). */
  stop(): Promise<void>;
  /**
   * Stops the server the hard way (`pg_ctl stop -m immediate`): every backend
   * is killed mid-statement, nothing is rolled back or flushed politely, and
   * the next start runs crash recovery. What a crash or an OOM kill looks like
   * to the clients.
   */
  stopImmediate(): Promise<void>;
  /**
   * Freezes the postmaster and every backend (SIGSTOP): connections stay
   * open but nothing answers, as with a hung host or a silent network
   * partition. `resume()` lets them go on.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

const SEARCH_ROOT = '/usr/lib/postgresql';

/** The newest `/usr/lib/postgresql/<major>/bin` that has initdb and pg_ctl, or null. */
export function findPostgresBin(): string | null {
  if (!existsSync(SEARCH_ROOT)) return null;
  const majors = readdirSync(SEARCH_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(SEARCH_ROOT, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** Runs a tool and resolves with its stdout; rejects with its stderr. */
export function run(file: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An operating-system account. */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

async function lookupUser(name: string): Promise<OsUser | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return null;
  }
}

/** The unprivileged user the server runs as when we are root; null when we are not root. */
export async function serverUser(): Promise<OsUser | null> {
  if (process.getuid?.() !== 0) return null;
  const existing = (await lookupUser('postgres')) ?? (await lookupUser('tokenward-pg'));
  if (existing !== null) return existing;
  await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'tokenward-pg']);
  const created = await lookupUser('tokenward-pg');
  if (created === null) throw new Error('could not create an unprivileged user for PostgreSQL');
  return created;
}

/** Options of `startLocalPostgres`. */
export interface StartOptions {
  readonly database?: string;
  /**
   * Keep every acknowledged commit across a crash (`synchronous_commit = on`).
   * Off by default for speed; the fault tests that kill the server and then
   * look for every write they were told had committed need it on.
   */
  readonly durableCommits?: boolean;
}

/**
 * Initializes and starts a new server. Throws (with the tool's message) when
 * no PostgreSQL binaries are installed or the server cannot start.
 */
export async function startLocalPostgres(options: StartOptions = {}): Promise<LocalPostgres> {
  const bin = findPostgresBin();
  if (bin === null) throw new Error(`no PostgreSQL binaries under ${SEARCH_ROOT}/*/bin`);
  const user = await serverUser();
  const asServerUser = (tool: string, args: readonly string[]): Promise<string> =>
    user === null ? run(join(bin, tool), args) : run('runuser', ['-u', user.name, '--', join(bin, tool), ...args]);

  const root = mkdtempSync(join(tmpdir(), 'tokenward-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  if (user !== null) chownSync(root, user.uid, user.gid);
  const database = options.database ?? 'tokenward';
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    // A throwaway server: durability is not what we test, speed helps everyone on a shared machine.
    // fsync=off only matters when the machine itself crashes, which the tests never do.
    '-c fsync=off',
    `-c synchronous_commit=${options.durableCommits ? 'on' : 'off'}`,
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');

  const start = async (): Promise<void> => {
    await asServerUser('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start']);
  };
  const stopWith = async (mode: 'fast' | 'immediate'): Promise<void> => {
    await asServerUser('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  const signalAll = async (signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> => {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = (await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)])).split('\n');
    const pids = [postmaster, ...children.map(Number).filter((pid) => pid > 0)];
    // Stop the postmaster first (it would otherwise notice stopped children), continue it last.
    for (const pid of signal === 'SIGSTOP' ? pids : pids.reverse()) process.kill(pid, signal);
  };
  const stop = (): Promise<void> => stopWith('fast');
  const stopImmediate = (): Promise<void> => stopWith('immediate');
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    try {
      if (existsSync(join(dataDir, 'postmaster.pid'))) await stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  try {
    await asServerUser('initdb', [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    database,
    root,
    start,
    stop,
    stopImmediate,
    pause: () => signalAll('SIGSTOP'),
    resume: () => signalAll('SIGCONT'),
    destroy,
  };
}

/**
 * Stops the server whose directory is `root` (made by `startLocalPostgres`,
 * perhaps in another process) and deletes the directory.
 */
export async function destroyLocalPostgresAt(root: string): Promise<void> {
  const bin = findPostgresBin();
  const dataDir = join(root, 'data');
  try {
    if (bin !== null && existsSync(join(dataDir, 'postmaster.pid'))) {
      const user = await serverUser();
      const args = ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'];
      if (user === null) await run(join(bin, 'pg_ctl'), args);
      else await run('runuser', ['-u', user.name, '--', join(bin, 'pg_ctl'), ...args]);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
