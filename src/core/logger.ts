import { redact } from './format.js';

/**
 * Where tokenward reports what it cannot report to a caller: a hook that
 * failed, a maintenance task that failed, an imported key that could not be
 * re-hashed, a use that could not be recorded. Messages and fields never
 * hold a token, a secret, a hash or a claim code: ids, codes and counts.
 *
 * The shape is console's and winston's (`warn(message, fields)`); for pino,
 * whose methods take the fields first, pass
 * `{ warn: (m, f) => log.warn(f, m), error: (m, f) => log.error(f, m) }`.
 */
export interface Logger {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * The default logger: `console.warn` and `console.error`, each line starting
 * `tokenward:`. It redacts what it prints itself (message and string fields,
 * as `safeLog` does), so a line written to it directly holds no whole token
 * either.
 */
export const consoleLogger: Logger = {
  warn: (message, fields) => writeConsole(console.warn, message, fields),
  error: (message, fields) => writeConsole(console.error, message, fields),
};

function writeConsole(
  write: (...parts: unknown[]) => void,
  message: string,
  fields: Readonly<Record<string, unknown>> | undefined,
): void {
  const line = `tokenward: ${redact(message)}`;
  if (fields === undefined) write(line);
  else write(line, redactFields(fields));
}

/**
 * @internal Calls `log` and never throws: a logger that fails must not turn
 * a finished call into a failed one.
 */
export function safeLog(
  logger: Logger,
  level: 'warn' | 'error',
  message: string,
  fields?: Readonly<Record<string, unknown>>,
): void {
  try {
    // Defence in depth: whatever a caller put in, nothing shaped like a token leaves here whole.
    logger[level](redact(message), fields === undefined ? undefined : redactFields(fields));
  } catch {
    // Nowhere left to report it.
  }
}

/** The fields with every string value (at any depth) passed through `redact`. */
function redactFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = redactValue(value, 0);
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, depth + 1);
  return out;
}

/** The code of a failure, for a log line: a `TokenError`'s code, else the error's name. Never its message. */
export function failureCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'error';
}
