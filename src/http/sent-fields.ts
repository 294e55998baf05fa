/**
 * @internal The service names its parameters' fields (`patch.ttl`,
 * `target.user`, `ttl` of `setMaxTtl`); over HTTP an error must name the
 * field as the request sent it (the body member `maxTtl`, the path
 * parameter `name`), or the client cannot tell what to correct.
 */
import { isTokenError, TokenError } from '../core/errors.js';

/** Runs `work`; an error naming a service field that `rename` maps is answered under the sent name. */
export async function asSentFields<T>(work: Promise<T>, rename: (field: string) => string | undefined): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const field = isTokenError(error) ? error.details.field : undefined;
    const sent = field === undefined ? undefined : rename(field);
    if (!isTokenError(error) || field === undefined || sent === undefined) throw error;
    const message = error.message.startsWith(field) ? sent + error.message.slice(field.length) : error.message;
    throw new TokenError(error.code, message, { ...error.details, field: sent, cause: error });
  }
}
