import { invalid, TokenError } from '../core/errors.js';
import type { Principal } from '../core/principal-types.js';
import {
  authFailure,
  bearerChallenge,
  checkRealm,
  errorAnswer,
  type HttpAnswer,
  managementFailure,
} from './answers.js';
import { type AuthSettings, authenticate, authSettings, type TokenVerifier } from './authenticate.js';
import { AssertionChecker, JWT_BEARER_ASSERTION } from './client-assertion.js';
import {
  ClientAuthFailure,
  type ClientLookup,
  clientBySecret,
  clientsOption,
  headerCredentials,
  type IntrospectionClient,
  type IntrospectionClients,
  invalidClient,
} from './client-auth.js';
import type { RequestParts } from './extract.js';
import { oauthParameters } from './input.js';
import { type IssuerOf, introspect, issuerOption } from './introspection-answer.js';
import { booleanOption, functionOption, optionsObject, verifierOption } from './options.js';

export type { IntrospectionClient, IntrospectionClients } from './client-auth.js';
export type { ActiveIntrospection, IntrospectionResponse } from './introspection-answer.js';

/** Options of the RFC 7662 introspection endpoint. */
export interface IntrospectionOptions {
  /** Realm of the challenges sent to unauthenticated callers (default `api`). */
  readonly realm?: string;
  /**
   * Which bearer-token callers may introspect (default: administrative and
   * verification tokens). Registered `clients` may always.
   */
  readonly authorize?: (caller: Principal) => boolean;
  /**
   * Answer administrative callers about tokens of every tenant, not only
   * their own (default false). Verification tokens guard the whole service
   * and always see every tenant.
   */
  readonly anyTenant?: boolean;
  /**
   * Confidential clients that authenticate with `client_secret_basic`,
   * `client_secret_post`, `client_secret_jwt` or `private_key_jwt` (RFC 6749
   * §2.3, RFC 7523) instead of a bearer token: a list, or a lookup by
   * `client_id`. Default: none, so only bearer tokens are accepted.
   */
  readonly clients?: IntrospectionClients;
  /**
   * The `aud` values accepted in JWT client assertions: this server's issuer
   * identifier as the clients know it, or the endpoint's URL (RFC 7523 §3).
   * Needed for `client_secret_jwt` and `private_key_jwt`; without it they fail.
   */
  readonly assertionAudience?: string | readonly string[];
  /**
   * The `iss` of the answers, one per tenant: a template with `{tenant}`
   * (for example `https://auth.example.com/tenants/{tenant}`; default
   * `urn:tokenward:tenant:{tenant}`).
   */
  readonly issuer?: string;
}

/** The default authorization: tokens that speak for a whole tenant or service. */
export function defaultIntrospectionAuthorize(caller: Principal): boolean {
  return (caller.type === 'administrative' || caller.type === 'verification') && caller.grants === 'all';
}

/** Largest introspection request body: a token, a hint and client credentials. */
export const INTROSPECTION_BODY_LIMIT = 16 * 1024;

/** @internal Who asks: a bearer token's principal or a registered client. */
export type IntrospectionCaller =
  | { readonly kind: 'token'; readonly principal: Principal }
  | { readonly kind: 'client'; readonly client: IntrospectionClient };

/** @internal The introspection endpoint's options after validation. */
export interface IntrospectionSettings {
  readonly verifier: TokenVerifier;
  readonly settings: AuthSettings;
  readonly authorize: (caller: Principal) => boolean;
  readonly anyTenant: boolean;
  readonly clients: ClientLookup | null;
  readonly assertions: AssertionChecker | null;
  readonly issuerOf: IssuerOf;
}

function audienceOption(value: unknown): string[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((entry) => typeof entry === 'string' && /^[\x21-\x7e]{1,2000}$/.test(entry))) {
    throw invalid('assertionAudience', 'must be a URI or a non-empty list of URIs');
  }
  return list as string[];
}

/**
 * @internal Validates the introspection endpoint's options (Express and
 * Fastify alike; `extraKeys` adds the framework's own): a bad option is a
 * `TokenError('invalid_request')` naming it.
 */
export function introspectionSettings(
  verifier: unknown,
  options: unknown,
  extraKeys: readonly string[] = [],
): IntrospectionSettings {
  const keys = ['realm', 'authorize', 'anyTenant', 'clients', 'assertionAudience', 'issuer', ...extraKeys];
  const checked = optionsObject(options, keys);
  const clients = clientsOption(checked.clients);
  const audience = audienceOption(checked.assertionAudience);
  if (Array.isArray(checked.clients) && audience.length === 0) {
    const index = (checked.clients as { jwks?: unknown }[]).findIndex((client) => client.jwks !== undefined);
    if (index !== -1) throw invalid(`clients[${index}].jwks`, 'needs the assertionAudience option (private_key_jwt)');
  }
  return {
    verifier: verifierOption(verifier),
    settings: authSettings({ realm: checkRealm(checked.realm) }),
    authorize:
      functionOption<(caller: Principal) => boolean>(checked.authorize, 'authorize') ?? defaultIntrospectionAuthorize,
    anyTenant: booleanOption(checked.anyTenant, 'anyTenant', false),
    clients,
    assertions: clients === null ? null : new AssertionChecker(clients, audience),
    issuerOf: issuerOption(checked.issuer),
  };
}

/** RFC 7662 §2.3: a bearer token without the right to introspect gets 401, not 403. */
function notAllowed(realm: string): HttpAnswer {
  return errorAnswer(
    401,
    { error: 'insufficient_scope', message: 'this token may not introspect tokens' },
    { 'www-authenticate': bearerChallenge(realm, 'invalid_token') },
  );
}

/** The challenges of the methods the endpoint accepts: Bearer, and Basic where clients are registered. */
function challenges(endpoint: IntrospectionSettings): string {
  const { realm } = endpoint.settings;
  return endpoint.clients === null ? bearerChallenge(realm) : `${bearerChallenge(realm)}, Basic realm="${realm}"`;
}

function missingCaller(endpoint: IntrospectionSettings): HttpAnswer {
  return errorAnswer(
    401,
    { error: 'token_missing', message: 'authentication is required' },
    { 'www-authenticate': challenges(endpoint) },
  );
}

/** @internal What the headers decided: a caller, nothing yet (credentials may be in the body), or an answer. */
export type HeaderOutcome =
  | { readonly kind: 'caller'; readonly caller: IntrospectionCaller | null }
  | { readonly kind: 'refused'; readonly answer: HttpAnswer };

/**
 * @internal Authenticates the caller from the headers, before the body is
 * read: a bearer token (which `authorize` must accept) or HTTP Basic client
 * credentials. Without either, the body may still carry client credentials
 * when clients are registered; otherwise the request is refused unread.
 */
export async function callerFromHeaders(
  endpoint: IntrospectionSettings,
  request: RequestParts,
): Promise<HeaderOutcome> {
  const { realm } = endpoint.settings;
  try {
    const header = headerCredentials(request.rawHeaders);
    if (header.kind === 'basic') {
      if (endpoint.clients === null) throw new ClientAuthFailure();
      const client = await clientBySecret(endpoint.clients, header.id, header.secret);
      return { kind: 'caller', caller: { kind: 'client', client } };
    }
    if (header.kind === 'none') {
      return endpoint.clients === null
        ? { kind: 'refused', answer: missingCaller(endpoint) }
        : { kind: 'caller', caller: null };
    }
  } catch (error) {
    if (error instanceof ClientAuthFailure) return { kind: 'refused', answer: invalidClient(challenges(endpoint)) };
    // A repeated Authorization header: the same RFC 6750 answer as on every guarded route.
    return { kind: 'refused', answer: authFailure(error, realm) };
  }
  const outcome = await authenticate(endpoint.verifier, request, endpoint.settings);
  if (outcome.kind === 'refused') return outcome;
  if (outcome.kind === 'principal' && endpoint.authorize(outcome.principal)) {
    return { kind: 'caller', caller: { kind: 'token', principal: outcome.principal } };
  }
  return { kind: 'refused', answer: notAllowed(realm) };
}

const CLIENT_PARAMETERS = ['client_id', 'client_secret', 'client_assertion_type', 'client_assertion'] as const;

function twoMethods(): TokenError {
  return new TokenError('invalid_request', 'the request uses more than one client authentication method');
}

/**
 * The caller: the one the headers authenticated, else the client the
 * body's credentials authenticate (`client_secret_post`, or a JWT
 * assertion). Credentials in both places, or two kinds in the body, are two
 * methods in one request, which RFC 6749 §2.3 forbids (`invalid_request`).
 */
async function callerOf(
  endpoint: IntrospectionSettings,
  fromHeaders: IntrospectionCaller | null,
  body: unknown,
): Promise<IntrospectionCaller> {
  const fields = oauthParameters(body, CLIENT_PARAMETERS);
  const { client_id: id, client_secret: secret, client_assertion: assertion } = fields;
  const type = fields.client_assertion_type;
  const byAssertion = assertion !== undefined || type !== undefined;
  if (secret === undefined && !byAssertion) {
    // A bare client_id (a public client, RFC 6749 §2.3) authenticates nobody.
    if (fromHeaders === null) throw new ClientAuthFailure();
    return fromHeaders;
  }
  if (fromHeaders !== null || (secret !== undefined && byAssertion)) throw twoMethods();
  if (endpoint.clients === null || endpoint.assertions === null) throw new ClientAuthFailure();
  if (secret !== undefined) {
    if (id === undefined) throw new ClientAuthFailure();
    return { kind: 'client', client: await clientBySecret(endpoint.clients, id, secret) };
  }
  if (type !== JWT_BEARER_ASSERTION || assertion === undefined) throw new ClientAuthFailure();
  return { kind: 'client', client: await endpoint.assertions.check(assertion, id) };
}

function tenantOf(endpoint: IntrospectionSettings, caller: IntrospectionCaller): string | undefined {
  if (caller.kind === 'client') return caller.client.tenant;
  const { principal } = caller;
  return endpoint.anyTenant || principal.type === 'verification' ? undefined : principal.tenant;
}

/**
 * @internal Answers an introspection request once its body is read;
 * `fromHeaders` is the caller the headers authenticated, if any.
 */
export async function answerIntrospection(
  endpoint: IntrospectionSettings,
  fromHeaders: IntrospectionCaller | null,
  body: unknown,
): Promise<HttpAnswer> {
  const { realm } = endpoint.settings;
  try {
    const caller = await callerOf(endpoint, fromHeaders, body);
    return await introspect(endpoint.verifier, tenantOf(endpoint, caller), body, endpoint.issuerOf);
  } catch (error) {
    if (error instanceof ClientAuthFailure) return invalidClient(challenges(endpoint));
    return managementFailure(error, realm);
  }
}
