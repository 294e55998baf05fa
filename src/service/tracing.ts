/**
 * @internal Spans around the service's calls (issue 13): with a `tracer`,
 * each asynchronous call runs inside a span named `tokenward.<call>`. A
 * span carries what the call answered about (token id, tenant, type) and,
 * on failure, the `TokenError` code; never an argument, so never a token
 * string, a secret or a claim code. Without a tracer the service's methods
 * are not wrapped at all, so verification pays nothing for it.
 */
import { isTokenError } from '../core/errors.js';
import type { TokenTracer, TraceSpan } from '../core/tracing.js';
import type { TokenService } from './token-service.js';

/** Calls that answer synchronously: not wrapped (a span would make them asynchronous). */
const SYNCHRONOUS: ReadonlySet<string> = new Set(['startMaintenance']);

/** Attributes from what a call answered: a principal, an issued token, a token's info. */
function describe(span: TraceSpan, result: unknown): void {
  if (typeof result !== 'object' || result === null) return;
  const fields = result as Record<string, unknown>;
  const about = (typeof fields.info === 'object' && fields.info !== null ? fields.info : fields) as Record<
    string,
    unknown
  >;
  const id = about.tokenId ?? about.id;
  if (typeof id === 'string') span.setAttribute('tokenward.token.id', id);
  if (typeof about.tenant === 'string') span.setAttribute('tokenward.tenant', about.tenant);
  if (typeof about.type === 'string') span.setAttribute('tokenward.token.type', about.type);
}

/** `service` with every asynchronous call inside a span of `tracer`. */
export function traced(service: TokenService, tracer: TokenTracer): TokenService {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service) as [string, (...args: unknown[]) => unknown][]) {
    wrapped[name] = SYNCHRONOUS.has(name)
      ? method
      : (...args: unknown[]) =>
          tracer.trace(`tokenward.${name}`, async (span) => {
            try {
              const result = await method(...args);
              describe(span, result);
              return result;
            } catch (error) {
              span.fail(isTokenError(error) ? error.code : 'error');
              throw error;
            }
          });
  }
  return wrapped as unknown as TokenService;
}
