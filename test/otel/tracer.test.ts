/**
 * `tokenward/otel` on the real OpenTelemetry SDK (an in-memory exporter):
 * one span per service call, named `tokenward.<call>`, with the token's id,
 * tenant and type, the failure code and ERROR status on a refusal, the
 * configured attributes, and never a token string or a claim code.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { openTelemetryTracer } from '../../src/otel/index.js';
import { codeOf } from '../support/errors.js';
import { ANALYST, BOB, makeHarness } from '../support/service.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
afterAll(() => provider.shutdown());

describe('openTelemetryTracer', () => {
  it('records one internal span per call, with ids and codes, and no secret', async () => {
    exporter.reset();
    const tracer = openTelemetryTracer({
      tracer: provider.getTracer('tokenward-test'),
      attributes: { 'deployment.environment': 'test' },
    });
    const h = makeHarness({ tracer });
    const issued = await h.service.issue({ name: 'traced' }, ANALYST);
    await h.service.verify(issued.token);
    const shared = await h.service.share(issued.info.id, ANALYST);
    expect(await codeOf(h.service.verify(`${issued.token}x`))).toBe('token_invalid');
    expect(await codeOf(h.service.revoke(issued.info.id, BOB))).toBe('not_found');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual([
      'tokenward.issue',
      'tokenward.verify',
      'tokenward.share',
      'tokenward.verify',
      'tokenward.revoke',
    ]);
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.attributes['deployment.environment']).toBe('test');
    }
    expect(spans[1]!.attributes).toMatchObject({
      'tokenward.token.id': issued.info.id,
      'tokenward.tenant': 'acme',
      'tokenward.token.type': 'personal',
    });
    expect(spans[1]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans[3]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'token_invalid' });
    expect(spans[4]!.attributes['tokenward.error.code']).toBe('not_found');
    const everything = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.status, span.events]));
    expect(everything).not.toContain(issued.token);
    expect(everything).not.toContain(shared.code);
  });

  it('checks its options', () => {
    expect(() => openTelemetryTracer({ tracer: {} as never })).toThrow(
      expect.objectContaining({ details: { field: 'options.tracer' } }),
    );
    expect(() => openTelemetryTracer({ attributes: 'x' as never })).toThrow(
      expect.objectContaining({ details: { field: 'options.attributes' } }),
    );
    expect(() => openTelemetryTracer({ exporter: 1 } as never)).toThrow(
      expect.objectContaining({ details: { field: 'options.exporter' } }),
    );
    // Without a registered provider, the global tracer's spans are no-ops: calls still work.
    const h = makeHarness({ tracer: openTelemetryTracer() });
    return expect(h.service.issue({}, ANALYST)).resolves.toMatchObject({ info: { status: 'active' } });
  });
});
