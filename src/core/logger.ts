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

/** The default logger: `console.warn` and `console.error`, each line starting `tokenward:`. */
export const consoleLogger: Logger = {
  warn: (message, fields) =>
    fields === undefined ? console.warn(`tokenward: ${message}`) : console.warn(`tokenward: ${message}`, fields),
  error: (message, fields) =>
    fields === undefined ? console.error(`tokenward: ${message}`) : console.error(`tokenward: ${message}`, fields),
};

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
    logger[level](message, fields);
  } catch {
    // Nowhere left to report it.
  }
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
