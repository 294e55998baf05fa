import type { ErrorBody, HttpAnswer } from './answers.js';

/**
 * A refused request as an `Error`, for apps whose own error handling
 * answers it: Express error middleware (`failWithError`), a Fastify error
 * handler behind `@fastify/auth`. It carries the answer tokenward would
 * have sent, in the shape error handlers read (`status` and `statusCode`,
 * `headers` with the RFC 6750 challenge, `expose`), and the JSON body.
 * Its message is the generic one of the body; it never contains the token.
 */
export class AuthRefusal extends Error {
  /** The HTTP status: 400, 401, 403, 500 or 503. */
  readonly status: number;
  /** The same, under the name Fastify and `http-errors` use. */
  readonly statusCode: number;
  /** The error code of the body (`token_missing`, `token_invalid`, `insufficient_scope`, …). */
  readonly code: ErrorBody['error'];
  /** Headers to send: `WWW-Authenticate`, `Cache-Control`, `Retry-After` for a 503. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body tokenward sends for this refusal. */
  readonly body: ErrorBody;
  /** The message is generic and safe to show (the `http-errors` convention; false for a 500). */
  readonly expose: boolean;

  constructor(answer: HttpAnswer, cause?: unknown) {
    const body = answer.body as ErrorBody;
    super(body.message, cause === undefined ? undefined : { cause });
    this.name = 'AuthRefusal';
    this.status = answer.status;
    this.statusCode = answer.status;
    this.code = body.error;
    this.headers = answer.headers;
    this.body = body;
    this.expose = answer.status < 500;
  }

  /** @internal The answer this refusal stands for. */
  toAnswer(): HttpAnswer {
    return { status: this.status, headers: this.headers, body: this.body };
  }
}

// A registered brand, as TokenError's: the CommonJS and ES module builds each have their own class.
const BRAND: unique symbol = Symbol.for('tokenward.AuthRefusal');
Object.defineProperty(AuthRefusal.prototype, BRAND, { value: true });

/** True for an `AuthRefusal` of any build (the CommonJS and ES module copies of the package alike). */
export function isAuthRefusal(value: unknown): value is AuthRefusal {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
