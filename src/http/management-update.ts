/**
 * @internal The management API's routes of issue 13: PATCH a token in
 * place (name, comment, meta, enabled, grants, ttl), enable and disable it,
 * and list the tokens about to expire. Framework-neutral like the others.
 */
import { invalid, isTokenError } from '../core/errors.js';
import type { Duration } from '../core/types.js';
import type { TokenService } from '../service/token-service.js';
import type { ExpiringFilter, ListFilter, TokenPatch } from '../service/types.js';
import type { HttpAnswer } from './answers.js';
import { bodyObject, queryString } from './input.js';
import type { ManagementContext, ManagementRoute } from './management.js';
import { asSentFields } from './sent-fields.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

const PATCH_FIELDS = ['name', 'comment', 'meta', 'enabled', 'grants', 'ttl'];

function ok(body: unknown): HttpAnswer {
  return { status: 200, headers: NO_STORE, body };
}

/** The service names a patch's fields `patch.<field>`; over HTTP they are the body's own names. */
function asBodyFields<T>(work: Promise<T>): Promise<T> {
  return asSentFields(work, (field) =>
    field === 'patch' ? 'body' : field.startsWith('patch.') ? field.slice('patch.'.length) : undefined,
  );
}

/** Routes that take a token id and an actor. */
function tokenRoute(
  method: ManagementRoute['method'],
  path: string,
  handle: (service: TokenService, context: ManagementContext, id: string) => Promise<HttpAnswer>,
): ManagementRoute {
  return {
    method,
    path,
    needsActor: true,
    body: 'json',
    handle(service, context) {
      const id = context.params.id;
      if (id === undefined) throw invalid('id', 'is required');
      return handle(service, context, id);
    },
  };
}

function actorOf(context: ManagementContext) {
  if (context.actor === null) throw new TypeError('management route called without an actor');
  return context.actor;
}

/** PATCH /tokens/:id: the fields given change, nothing else (`TokenService.update`). */
export const updateToken: ManagementRoute = tokenRoute('PATCH', '/tokens/:id', async (service, context, id) => {
  const patch = bodyObject(context.body, PATCH_FIELDS) as TokenPatch;
  return ok(await asBodyFields(service.update(id, patch, actorOf(context))));
});

/** POST /tokens/:id/enable and /disable: `update` with `enabled` only. */
export function enabledRoute(enabled: boolean): ManagementRoute {
  return tokenRoute('POST', `/tokens/:id/${enabled ? 'enable' : 'disable'}`, async (service, context, id) => {
    bodyObject(context.body, []);
    return ok(await asBodyFields(service.update(id, { enabled }, actorOf(context))));
  });
}

/**
 * The listing of `GET /tokens?expiringWithin=7d`: `listExpiring` with the
 * listing's other filters, or null when the query does not ask for it.
 */
export async function expiringPage(
  service: TokenService,
  context: ManagementContext,
  filter: ListFilter,
): Promise<HttpAnswer | null> {
  const within = queryString(context.query, 'expiringWithin');
  if (within === undefined) return null;
  const { hideExpired, hideRevoked, ...rest } = filter;
  if (hideExpired !== undefined || hideRevoked !== undefined) {
    throw invalid(hideExpired !== undefined ? 'hideExpired' : 'hideRevoked', 'cannot be combined with expiringWithin');
  }
  const expiring: ExpiringFilter = { ...rest, within: within as Duration };
  try {
    const page = await service.listExpiring(expiring, actorOf(context));
    return ok({ items: page.items, nextCursor: page.nextCursor });
  } catch (error) {
    if (isTokenError(error, 'invalid_request') && error.details.field === 'filter.within') {
      throw invalid('expiringWithin', "must be a duration such as '7d'");
    }
    throw error;
  }
}
