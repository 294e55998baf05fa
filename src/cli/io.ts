/**
 * @internal What the CLI reads and writes: the process's streams and
 * environment, passed in so that nothing else in src/cli/ touches `process`.
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths (the default database file) start from. */
  readonly cwd: string;
}

/** The process's own. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/**
 * Output that could not be written because its reader went away (`| head`,
 * a closed pipe: EPIPE) or the stream failed: the CLI ends quietly with
 * `EXIT.outputClosed`, never with an `'error'` event nobody handles.
 */
export class OutputClosed extends Error {
  constructor(cause: unknown) {
    super('the output was closed before everything was written', { cause });
    this.name = 'OutputClosed';
  }
}

const watched = new WeakSet<Writable>();

/**
 * Writes `text` to `stream` and waits until it is handed to the system
 * (pipes included).
 *
 * @throws {OutputClosed} when the stream is closed or fails (the error event
 *   is handled here, so it cannot end the process with a stack trace).
 */
export function write(stream: Writable, text: string): Promise<void> {
  if (!watched.has(stream)) {
    watched.add(stream);
    // The failure reaches the write's callback too; this listener only keeps the event from being unhandled.
    stream.on('error', () => {});
  }
  return new Promise((resolve, reject) => {
    if (stream.destroyed || stream.writableEnded) {
      reject(new OutputClosed(undefined));
      return;
    }
    stream.write(text, (error) => (error ? reject(new OutputClosed(error)) : resolve()));
  });
}

/** All of stdin as text. */
export async function readAll(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
