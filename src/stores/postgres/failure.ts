/**
 * @internal What went wrong reaching PostgreSQL, in words an operator can
 * act on (connection refused, host not found, authentication failed, timed
 * out), built from the error's code and fields only: the driver's message
 * is not repeated, so nothing of a connection string (its password) can
 * reach an error message.
 */

interface ConnectError {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

// SQLSTATE codes a failed connection answers with (PostgreSQL manual, appendix A).
const SQLSTATE: Readonly<Record<string, string>> = {
  '28P01': 'authentication failed (wrong password)',
  '28000': 'authentication failed (the role does not exist or may not connect)',
  '3D000': 'the database does not exist',
  '3F000': 'the schema does not exist',
  '42501': 'permission denied',
  '53300': 'the server has too many connections',
  '57P03': 'the server is starting up or shutting down',
  '57P01': 'the server is shutting down',
};

const SYSTEM: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (name lookup failed)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
};

/** The first error with a code: Node reports a refused connection to every address of a name as an AggregateError. */
function firstCoded(error: unknown): ConnectError {
  const found = (error ?? {}) as ConnectError;
  if (found.code === undefined && Array.isArray(found.errors) && found.errors.length > 0) {
    return firstCoded(found.errors[0]);
  }
  return found;
}

/** Why `error` (a driver or socket error) kept PostgreSQL from answering; never a password. */
export function connectionFailure(error: unknown): string {
  const found = firstCoded(error);
  const code = typeof found.code === 'string' ? found.code : undefined;
  if (code !== undefined && SYSTEM[code] !== undefined) {
    const host = typeof found.hostname === 'string' ? found.hostname : undefined;
    const at =
      typeof found.address === 'string'
        ? `${found.address}${typeof found.port === 'number' ? `:${found.port}` : ''}`
        : host;
    return at === undefined ? SYSTEM[code] : `${SYSTEM[code]}: ${at}`;
  }
  if (code !== undefined && SQLSTATE[code] !== undefined) return SQLSTATE[code];
  // pg's own timeouts (connectionTimeoutMillis, query_timeout) carry no code, only these words.
  if (typeof found.message === 'string' && /timeout|timed out/i.test(found.message)) return 'the connection timed out';
  if (code !== undefined) return `error ${code}`;
  return 'the connection failed';
}
