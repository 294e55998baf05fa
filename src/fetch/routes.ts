import { type HttpAnswer, managementFailure, missingCredentials } from '../http/answers.js';
import type { Actor, ManagementRoute } from '../http/management.js';
import type { ManagementSettings } from '../http/options.js';
import { badRouteParameter } from '../http/path-params.js';
import { readRequestBody } from './body.js';
import { type HeaderRecord, headerRecord, toResponse } from './request.js';

/**
 * @internal One management route answered from a Fetch API `Request`: the
 * body checks and readers, the actor, the route's handler and its answer,
 * in the order the Express and Fastify routes take them. The fetch handler
 * and the Hono routes differ only in how they find the route and its params.
 */

/** Who acts: resolved once the body is read, only for routes that act for someone. */
export type ActorLookup = () => Actor | null | undefined | Promise<Actor | null | undefined>;

/**
 * Query parameters as the Express and Fastify query parsers give them: a
 * repeated name becomes a list (which the routes refuse), decoded as
 * `URLSearchParams` decodes them.
 */
export function queryRecord(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

async function routeAnswer(
  settings: ManagementSettings<unknown>,
  route: ManagementRoute,
  request: Request,
  headers: HeaderRecord,
  params: Readonly<Record<string, string | undefined>>,
  actorOf: ActorLookup,
): Promise<HttpAnswer> {
  try {
    const badPath = badRouteParameter(route, new URL(request.url).pathname);
    if (badPath !== null) throw badPath;
    let body: unknown;
    if (route.body !== null) {
      const read = await readRequestBody(request, headers, route.body, settings.bodyLimit, settings.ambient);
      if ('answer' in read) return read.answer;
      body = read.body;
    }
    let actor: Actor | null = null;
    if (route.needsActor) {
      actor = (await actorOf()) ?? null;
      if (actor === null) return missingCredentials(settings.realm);
    }
    const url = new URL(request.url);
    const context = { params, query: queryRecord(url), body, actor, path: url.pathname };
    return await route.handle(settings.service, context);
  } catch (error) {
    return managementFailure(error, settings.realm);
  }
}

/** @internal Answers one management route; never throws. */
export async function serveRoute(
  settings: ManagementSettings<unknown>,
  route: ManagementRoute,
  request: Request,
  params: Readonly<Record<string, string | undefined>>,
  actorOf: ActorLookup,
): Promise<Response> {
  const answer = await routeAnswer(settings, route, request, headerRecord(request), params, actorOf);
  return toResponse(answer, request.method === 'HEAD');
}

export { tokenActor } from '../http/actor.js';
