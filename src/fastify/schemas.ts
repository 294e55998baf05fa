import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { openApiDocument } from '../http/openapi-document.js';
import { dereference } from '../http/openapi-schemas.js';

/**
 * @internal Route schemas of the management API for `@fastify/swagger`,
 * taken from its OpenAPI document (so both say the same): params,
 * querystring, body and responses, with summary, tags and operationId.
 * They document; they do not validate or serialize (the routes' own checks
 * answer bad input, as on every framework), so the routes that carry them
 * also get compilers that accept and stringify as they are.
 */

type Operation = {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly {
    name: string;
    in: string;
    required: boolean;
    schema: unknown;
    description?: string;
  }[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: unknown }>> };
  readonly responses: Readonly<Record<string, { description: string; content?: Record<string, { schema: unknown }> }>>;
};

function parameters(operation: Operation, where: 'path' | 'query'): Record<string, unknown> | undefined {
  const list = (operation.parameters ?? []).filter((parameter) => parameter.in === where);
  if (list.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(
      list.map((parameter) => [
        parameter.name,
        {
          ...(parameter.schema as object),
          ...(parameter.description === undefined ? {} : { description: parameter.description }),
        },
      ]),
    ),
    required: list.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
}

function schemaOf(operation: Operation): FastifySchema {
  const params = parameters(operation, 'path');
  const querystring = parameters(operation, 'query');
  const content = operation.requestBody?.content;
  const response = Object.fromEntries(
    Object.entries(operation.responses).map(([status, { description, content: body }]) => [
      status,
      body === undefined
        ? { description, type: 'null' }
        : { description, ...(dereference(body['application/json']?.schema) as object) },
    ]),
  );
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    tags: [...operation.tags],
    // No `security`: its schemes would have to be declared in the app's own swagger options.
    ...(params === undefined ? {} : { params }),
    ...(querystring === undefined ? {} : { querystring }),
    ...(content === undefined
      ? {}
      : { body: dereference(content['application/json']?.schema), consumes: Object.keys(content) }),
    response,
  } as FastifySchema;
}

let built: ReadonlyMap<string, FastifySchema> | undefined;

/** @internal The schema of the route `METHOD path` (the table's `:param` form). */
export function routeSchema(method: string, path: string): FastifySchema | undefined {
  if (built === undefined) {
    const document = openApiDocument();
    const schemas = new Map<string, FastifySchema>();
    for (const [openApiPath, item] of Object.entries(document.paths)) {
      for (const [name, operation] of Object.entries(item)) {
        schemas.set(
          `${name.toUpperCase()} ${openApiPath.replace(/\{([^}]+)\}/g, ':$1')}`,
          schemaOf(operation as Operation),
        );
      }
    }
    built = schemas;
  }
  return built.get(`${method} ${path}`);
}

/**
 * Route schemas document only: every request passes this validator and
 * keeps its input as it came (the route checks it itself). `true` rather
 * than `{ value }`: Fastify hands a validator `null` for an absent body and
 * would keep what `value` says.
 */
export const acceptAll: FastifySchemaCompiler<unknown> = () => () => true;

/** …and answers are sent as the route made them. */
export const plainJson: FastifySerializerCompiler<unknown> = () => (data: unknown) => JSON.stringify(data);
