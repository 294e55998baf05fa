/**
 * `createTokenService`: checks the options, builds the service
 * context once, and assembles the capabilities, one module each
 * (docs/architecture.md).
 */
import { attachImmediateVerify } from '../core/immediate-verify.js';
import { updateComment } from './comment.js';
import { createContext } from './context.js';
import { directoryService } from './directory.js';
import { events, record } from './events.js';
import { importTokens } from './import.js';
import { issue } from './issue.js';
import { get, list, listExpiring } from './list.js';
import { pruneEvents, pruneRevokedSessions, purgeExpired, runMaintenance, startMaintenance } from './maintenance.js';
import { ensureMasterToken } from './master.js';
import { refillCredits } from './metering.js';
import { serviceSettings } from './options.js';
import { explainMaxTtl, setMaxTtl } from './policies.js';
import { revoke, revokeUser } from './revoke.js';
import { rotate } from './rotate.js';
import { exchange } from './sessions.js';
import { claim, share } from './share.js';
import type { TokenService } from './token-service.js';
import { traced } from './tracing.js';
import type { TokenServiceOptions } from './types.js';
import { update } from './update.js';
import { verify, verifyNow } from './verify.js';

/**
 * Creates the token service: issue, verify, rotate, share, revoke and audit
 * tokens on the given repository.
 *
 * Every option is checked here, once: a bad one, an unknown key, or a
 * combination that could accept no token at all (`enablePersonalTokens:
 * false` with `personalTokensOnly: true`, or without any verification
 * token) throws `TokenError('invalid_request')` whose `details.field` names
 * the option (docs/errors.md, "Bad configuration").
 *
 * @throws {TokenError} `invalid_request` for bad configuration.
 * @example
 * ```ts
 * import { createTokenService, memoryRepository, staticDirectory } from 'tokenward';
 * const tokens = createTokenService({
 *   repository: memoryRepository(),
 *   pepper: process.env.TOKEN_PEPPER!,
 *   prefix: 'acme',
 *   directory: staticDirectory({ acme: { alice: { admin: true } } }),
 * });
 * const { token } = await tokens.issue({ name: 'ci' }, { tenant: 'acme', user: 'alice' });
 * const principal = await tokens.verify(token);
 * ```
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const context = createContext(serviceSettings(options));
  const verifyToken: TokenService['verify'] = (token, verifyOptions) => verify(context, token, verifyOptions);
  const service: TokenService = {
    issue: (input, actor) => issue(context, input, actor),
    verify: verifyToken,
    rotate: (ref, actor, rotateOptions) => rotate(context, ref, actor, rotateOptions),
    revoke: (ref, actor) => revoke(context, ref, actor),
    revokeAll: (target, actor) => revokeUser(context, target, actor, false),
    removeUser: (target, actor) => revokeUser(context, target, actor, true),
    list: (filter, actor) => list(context, filter, actor),
    get: (ref, actor) => get(context, ref, actor),
    updateComment: (ref, comment, actor) => updateComment(context, ref, comment, actor),
    setMaxTtl: (target, ttl, actor) => setMaxTtl(context, target, ttl, actor),
    explainMaxTtl: (target) => explainMaxTtl(context, target),
    ensureMasterToken: (target) => ensureMasterToken(context, target),
    share: (ref, actor, shareOptions) => share(context, ref, actor, shareOptions),
    claim: (code) => claim(context, code),
    exchange: (token, exchangeOptions) => exchange(context, token, exchangeOptions),
    events: (ref, actor, eventOptions) => events(context, ref, actor, eventOptions),
    record: (principal, operation, detail) => record(context, principal, operation, detail),
    pruneEvents: () => pruneEvents(context),
    purgeExpired: () => purgeExpired(context),
    refillCredits: () => refillCredits(context),
    pruneRevokedSessions: () => pruneRevokedSessions(context),
    // Issue 13: update in place, imported keys, expiry warnings, maintenance.
    update: (ref, patch, actor) => update(context, ref, patch, actor),
    importTokens: (records, actor) => importTokens(context, records, actor),
    listExpiring: (filter, actor) => listExpiring(context, filter, actor),
    runMaintenance: () => runMaintenance(context),
    startMaintenance: (maintenanceOptions) => startMaintenance(context, maintenanceOptions),
    directory: directoryService(context),
  };
  const { tracer } = context.settings;
  if (tracer !== undefined) return traced(service, tracer);
  // The adapters' synchronous form of `verify` (src/core/immediate-verify.ts); a traced service has
  // none, so each of its verifications makes its span.
  attachImmediateVerify(service, {
    verify: verifyToken,
    now: (token, verifyOptions) => verifyNow(context, token, verifyOptions),
  });
  return service;
}
