/**
 * `tokenward/otel`: OpenTelemetry spans around the token service's calls
 * (issue 13), through `@opentelemetry/api`, an optional peer dependency of
 * this subpath only: the core keeps its three runtime dependencies.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { openTelemetryTracer } from 'tokenward/otel';
 *
 * const tokens = createTokenService({ repository, pepper, directory, tracer: openTelemetryTracer() });
 * ```
 */
import { type Attributes, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { invalid } from '../core/errors.js';
import { optionsObject, recordSnapshot, withMethods } from '../core/options.js';
import type { TokenTracer, TraceSpan } from '../core/tracing.js';

export type { TokenTracer, TraceSpan } from '../core/tracing.js';

/** Options of `openTelemetryTracer`. */
export interface OpenTelemetryTracerOptions {
  /** The tracer to use (default: the global provider's tracer named `tokenward`). */
  readonly tracer?: Tracer;
  /** Attributes every span carries (`service.instance.id`, a deployment name…). Never put a secret here. */
  readonly attributes?: Attributes;
}

/**
 * A `TokenTracer` on OpenTelemetry: every call of the service becomes an
 * internal span `tokenward.<call>` (`tokenward.verify`, `tokenward.issue`,
 * …), a child of the active span (with a context manager registered, as the
 * Node SDK does), with the attributes
 * `tokenward.token.id`, `tokenward.tenant` and `tokenward.token.type` of the
 * token the call answered about. A failed call sets the span's status to
 * `ERROR` with its `TokenError` code as the message and as
 * `tokenward.error.code`; no argument, token string, secret or claim code
 * ever reaches a span. Without a registered provider the spans are no-ops.
 *
 * @throws {TokenError} `invalid_request` naming `options.tracer`, `options.attributes` or an unknown option.
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { openTelemetryTracer } from 'tokenward/otel';
 * const tracer = openTelemetryTracer({ tracer: trace.getTracer('billing-api'), attributes: { 'deployment.environment': 'prod' } });
 * ```
 */
export function openTelemetryTracer(options: OpenTelemetryTracerOptions = {}): TokenTracer {
  // Each option read once (own keys only); the attributes are copied, since every span reads them.
  const fields = optionsObject(options, 'options', ['tracer', 'attributes']);
  const given =
    fields.tracer === undefined
      ? undefined
      : withMethods<Tracer>(fields.tracer, 'options.tracer', ['startActiveSpan'], 'an OpenTelemetry Tracer');
  const raw = fields.attributes ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid('options.attributes', 'must be an object of span attributes');
  }
  const attributes = Object.freeze({ ...recordSnapshot(raw, 'options.attributes') }) as Attributes;
  const tracer = (given as Tracer | undefined) ?? trace.getTracer('tokenward');
  return {
    trace<T>(name: string, work: (span: TraceSpan) => Promise<T>): Promise<T> {
      return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span): Promise<T> => {
        const handle: TraceSpan = {
          setAttribute: (key, value) => void span.setAttribute(key, value),
          fail(code) {
            span.setAttribute('tokenward.error.code', code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          },
        };
        try {
          return await work(handle);
        } finally {
          span.end();
        }
      });
    },
  };
}
