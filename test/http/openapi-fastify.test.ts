/**
 * Issue 14, OpenAPI on Fastify: the management routes carry JSON Schemas,
 * so `@fastify/swagger` documents them with the operations of tokenward's
 * own document; the schemas only document (the routes answer bad input
 * exactly as before, which the shared tables check).
 */
import fastifySwagger from '@fastify/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { managementRoutes } from '../../src/fastify/index.js';
import { openApiDocument } from '../../src/http/openapi-document.js';
import { BOB, makeFixture } from './support/fixture.js';

describe('@fastify/swagger picks up the management routes', () => {
  it('every operation, with its id, parameters, body and answers; the result is valid OpenAPI', async () => {
    const { service } = makeFixture();
    const app = Fastify();
    await app.register(fastifySwagger, { openapi: { openapi: '3.1.0', info: { title: 'app', version: '1' } } });
    await app.register(managementRoutes, { service, actor: () => BOB, prefix: '/manage' });
    await app.ready();
    const spec = app.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const ours = openApiDocument({ managementPath: '/manage' });
    for (const [path, item] of Object.entries(ours.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const theirs = spec.paths[path]?.[method];
        expect(theirs, `${method} ${path}`).toBeDefined();
        const expected = operation as { operationId: string; responses: Record<string, unknown> };
        expect(theirs?.operationId).toBe(expected.operationId);
        expect(Object.keys(theirs?.responses as object).sort()).toEqual(Object.keys(expected.responses).sort());
      }
    }
    const issue = spec.paths['/manage/tokens']?.post as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
      responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }>;
    };
    expect(Object.keys(issue.requestBody.content['application/json']!.schema.properties)).toContain('grants');
    expect(issue.responses['201']!.content!['application/json']!.schema.required).toEqual(['token', 'info']);
    const listed = spec.paths['/manage/tokens']?.get as { parameters: { name: string; in: string }[] };
    expect(listed.parameters.map((parameter) => parameter.name)).toContain('hideExpired');
    const result = await new Validator().validate(spec as never);
    expect(result.errors ?? []).toEqual([]);
    await app.close();
  });
});
