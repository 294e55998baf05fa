/**
 * Where the service's spans go (issue 13): `trace` runs `work` inside a
 * span named `name` (`tokenward.verify`, `tokenward.issue`, …).
 * `openTelemetryTracer` in `tokenward/otel` implements it on
 * `@opentelemetry/api`; anything else can too, so the core depends on no
 * tracing library.
 */
export interface TokenTracer {
  trace<T>(name: string, work: (span: TraceSpan) => Promise<T>): Promise<T>;
}

/** The part of a span the service writes to: attributes (ids, tenants, codes; never a secret). */
export interface TraceSpan {
  setAttribute(key: string, value: string | number | boolean): void;
  /** Marks the span failed with a `TokenError` code (or `error` for anything else). */
  fail(code: string): void;
}
