/** Checks answers against an OpenAPI document's schemas (JSON Schema 2020-12, with formats). */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../../src/http/openapi-document.js';

/** Validates bodies against the document's schemas (refs into `components.schemas`). */
export function bodyValidator(document: OpenApiDocument): (schema: object, body: unknown) => string[] {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const components = JSON.parse(
    JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'),
  );
  ajv.addSchema({ $id: 'urn:tokenward:components', $defs: components });
  return (schema, body) => {
    const rewritten = JSON.parse(
      JSON.stringify(schema).replaceAll('#/components/schemas/', 'urn:tokenward:components#/$defs/'),
    );
    const validate = ajv.compile(rewritten);
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };
}

/** One operation of a document, as the checks read it. */
export type Operation = {
  readonly operationId: string;
  readonly responses: Readonly<
    Record<string, { content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }>
  >;
};

/** The operations of a document, by `operationId`. */
export function operationsOf(document: OpenApiDocument): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      operations.set((operation as Operation).operationId, operation as Operation);
    }
  }
  return operations;
}

/** An answer as the checks read it. */
export interface CheckedAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/**
 * What is wrong with an answer to an operation: a status it does not
 * document, a body its schema refuses (or a body where it documents none),
 * a documented header that is missing. Empty when it is as documented.
 */
export function answerProblems(
  operation: Operation | undefined,
  answer: CheckedAnswer,
  validate: (schema: object, body: unknown) => string[],
): string[] {
  const documented = operation?.responses[String(answer.status)];
  if (documented === undefined) return [`status ${answer.status} is not documented`];
  const schema = documented.content?.['application/json']?.schema;
  const problems =
    schema === undefined
      ? answer.text === ''
        ? []
        : ['a body where none is documented']
      : validate(schema, answer.body);
  for (const name of Object.keys(documented.headers ?? {})) {
    if (answer.headers.get(name) === null) problems.push(`header ${name} is missing`);
  }
  return problems;
}
