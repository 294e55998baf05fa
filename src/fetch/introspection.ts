import { errorAnswer, managementFailure } from '../http/answers.js';
import type { TokenVerifier } from '../http/authenticate.js';
import {
  answerIntrospection,
  callerFromHeaders,
  INTROSPECTION_BODY_LIMIT,
  type IntrospectionOptions,
  introspectionSettings,
} from '../http/introspection.js';
import { readRequestBody } from './body.js';
import { headerRecord, requestParts, toResponse } from './request.js';

/**
 * An RFC 7662 token introspection endpoint as a Fetch API handler: `POST`,
 * `application/x-www-form-urlencoded` `token=…` (or JSON). Callers, answers
 * and errors are those of `introspectionRouter` in `tokenward/express`: a
 * bearer token (administrative or verification by default) or a registered
 * client (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`,
 * `private_key_jwt`); 401 for a token that may not introspect, 401
 * `invalid_client` for bad client credentials, 503 with `Retry-After` while
 * storage is down. Any other method answers 405. The handler answers
 * whatever path the app routes to it.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option
 *   (the list of `introspectionRouter`).
 * @example
 * ```ts
 * import { introspectionHandler } from 'tokenward/fetch';
 *
 * const introspect = introspectionHandler(tokens, { issuer: 'https://auth.example.com/tenants/{tenant}' });
 * export const POST = (request: Request) => introspect(request); // app/oauth/introspect/route.ts
 * ```
 */
export function introspectionHandler(
  verifier: TokenVerifier,
  options: IntrospectionOptions = {},
): (request: Request) => Promise<Response> {
  const endpoint = introspectionSettings(verifier, options);
  const { realm } = endpoint.settings;
  return async (request) => {
    if (request.method !== 'POST') {
      const answer = errorAnswer(405, { error: 'invalid_request', message: 'method not allowed' }, { allow: 'POST' });
      return toResponse(answer, request.method === 'HEAD');
    }
    const headers = headerRecord(request);
    // Header credentials are checked before the body is read, as on Express and Fastify.
    const outcome = await callerFromHeaders(endpoint, requestParts(request, headers));
    if (outcome.kind === 'refused') return toResponse(outcome.answer);
    try {
      const read = await readRequestBody(request, headers, 'json-or-form', INTROSPECTION_BODY_LIMIT);
      if ('answer' in read) return toResponse(read.answer);
      return toResponse(await answerIntrospection(endpoint, outcome.caller, read.body));
    } catch (error) {
      return toResponse(managementFailure(error, realm));
    }
  };
}
