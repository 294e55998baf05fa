/**
 * A store, directory store or hasher whose methods throw synchronously (a
 * third-party driver checking its arguments, a bug) is an outage like any
 * rejected promise: every service call answers `TokenError('unavailable')`,
 * never the driver's error text (which may quote the call's arguments), and
 * the HTTP API answers 503, not 500. The table covers every `TokenService`
 * and `service.directory` method; a new method without a row fails it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTokenError } from '../../src/core/errors.js';
import type { KeyedHasherFactory } from '../../src/core/hashing.js';
import { portableHasher } from '../../src/core/hashing.js';
import { managementHandler } from '../../src/fetch/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import { memoryDirectoryStore, memoryRepository } from '../../src/stores/memory/index.js';
import { ALICE, ANALYST, directoryHarness } from '../directory/support.js';

const DRIVER_TEXT = 'driver said: SELECT secret_hash';

/** `target` with every method throwing synchronously (quoting its arguments) while `failing.on`. */
function throwingWhen<T extends object>(target: T, failing: { on: boolean }): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (failing.on) throw new Error(`${DRIVER_TEXT} ${String(property)} ${JSON.stringify(args).slice(0, 80)}`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** What a call answered: the TokenError code and message, or the raw failure. */
async function outcome(call: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await call();
    return { code: 'resolved', message: '' };
  } catch (error) {
    if (isTokenError(error)) return { code: error.code, message: error.message };
    return { code: 'raw', message: String((error as Error)?.message ?? error) };
  }
}

type Fixture = Awaited<ReturnType<typeof fixtureOf>>;
type Row = (service: TokenService, f: Fixture) => unknown;

const failing = { on: false };
afterEach(() => {
  failing.on = false;
});

const ref = (f: Fixture) => f.issued.info.id;
const serviceRows: Record<Exclude<keyof TokenService, 'directory' | 'startMaintenance'>, Row> = {
  issue: (s) => s.issue({ name: 'new' }, ANALYST),
  verify: (s, f) => s.verify(f.issued.token),
  rotate: (s, f) => s.rotate(ref(f), ANALYST),
  revoke: (s, f) => s.revoke(ref(f), ANALYST),
  revokeAll: (s) => s.revokeAll({ tenant: 'acme', user: 'analyst' }, ALICE),
  removeUser: (s) => s.removeUser({ tenant: 'acme', user: 'analyst' }, ALICE),
  list: (s) => s.list({}, ANALYST),
  get: (s, f) => s.get(ref(f), ANALYST),
  updateComment: (s, f) => s.updateComment(ref(f), 'c', ANALYST),
  setMaxTtl: (s) => s.setMaxTtl({ tenant: 'acme', user: 'analyst' }, '1d', ALICE),
  explainMaxTtl: (s) => s.explainMaxTtl({ tenant: 'acme', user: 'analyst' }),
  ensureMasterToken: (s) => s.ensureMasterToken({ tenant: 'acme', user: 'bob' }),
  share: (s, f) => s.share(ref(f), ANALYST),
  claim: (s, f) => s.claim(f.shared.code),
  exchange: (s, f) => s.exchange(f.issued.token),
  events: (s, f) => s.events(ref(f), ANALYST),
  record: (s, f) => s.record(f.principal, 'report.read'),
  pruneEvents: (s) => s.pruneEvents(),
  purgeExpired: (s) => s.purgeExpired(),
  refillCredits: (s) => s.refillCredits(),
  pruneRevokedSessions: (s) => s.pruneRevokedSessions(),
  update: (s, f) => s.update(ref(f), { comment: 'x' }, ANALYST),
  importTokens: (s) => s.importTokens([{ hash: { value: 'a'.repeat(64), variant: 'sha256_hex' } }], ANALYST),
  listExpiring: (s) => s.listExpiring({ within: '7d' }, ANALYST),
  runMaintenance: (s) => s.runMaintenance(),
};
type DirectoryApi = TokenService['directory'];
const directoryRows: Record<keyof DirectoryApi, Row> = {
  addUser: (s) => s.directory.addUser({ tenant: 'acme', name: 'carol' }, ALICE),
  getUser: (s) => s.directory.getUser({ tenant: 'acme', user: 'bob' }, ALICE),
  listUsers: (s) => s.directory.listUsers({ tenant: 'acme' }, ALICE),
  updateUser: (s) => s.directory.updateUser({ tenant: 'acme', user: 'bob' }, { admin: true }, ALICE),
  removeUser: (s) => s.directory.removeUser({ tenant: 'acme', user: 'bob' }, ALICE),
  addRole: (s) => s.directory.addRole({ tenant: 'acme', name: 'ops' }, ALICE),
  getRole: (s) => s.directory.getRole({ tenant: 'acme', role: 'service_accounts' }, ALICE),
  listRoles: (s) => s.directory.listRoles({ tenant: 'acme' }, ALICE),
  updateRole: (s) => s.directory.updateRole({ tenant: 'acme', role: 'service_accounts' }, { grants: [] }, ALICE),
  removeRole: (s) => s.directory.removeRole({ tenant: 'acme', role: 'service_accounts' }, ALICE),
  auditLog: (s) => s.directory.auditLog({ tenant: 'acme' }, ALICE),
};

describe('storage whose methods throw synchronously', () => {
  it('the table names every method of the service and its directory', async () => {
    const { service } = await directoryHarness();
    const methods = Object.keys(service).filter((name) => name !== 'directory' && name !== 'startMaintenance');
    expect(Object.keys(serviceRows).sort()).toEqual(methods.sort());
    expect(Object.keys(directoryRows).sort()).toEqual(Object.keys(service.directory).sort());
  });

  const rows = [
    ...Object.entries(serviceRows).map(([name, row]) => [name, row] as const),
    ...Object.entries(directoryRows).map(([name, row]) => [`directory.${name}`, row] as const),
  ];
  it.each(rows)('%s answers unavailable, without the driver text', async (_name, row) => {
    const { service } = await directoryHarness({
      repository: throwingWhen(memoryRepository(), failing),
      directoryStore: throwingWhen(memoryDirectoryStore(), failing),
      legacyPrefixes: ['sk_live_'],
    });
    const fixture = await fixtureOf(service);
    failing.on = true;
    const answer = await outcome(() => row(service, fixture));
    if (answer.code === 'resolved') return expectReportedFailures(await (row(service, fixture) as Promise<unknown>));
    expect(answer).toEqual({ code: 'unavailable', message: expect.any(String) });
    expect(answer.message).not.toContain(DRIVER_TEXT);
  });

  it('the management API answers 503, not 500', async () => {
    const { service } = await directoryHarness({ repository: throwingWhen(memoryRepository(), failing) });
    const handler = managementHandler(service, { basePath: '/m', actor: () => ANALYST, auth: null } as never);
    failing.on = true;
    const response = await handler(
      new Request('http://x/m/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"q"}',
      }),
    );
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain(DRIVER_TEXT);
  });

  it('a hasher that throws at run time is unavailable too', async () => {
    const broken = { on: false };
    const hasher: KeyedHasherFactory = (key) => {
      const mac = portableHasher(key);
      return (message) => {
        if (broken.on) throw new Error(`${DRIVER_TEXT} hasher`);
        return mac(message);
      };
    };
    const { service } = await directoryHarness({ hasher });
    const issued = await service.issue({ name: 'ci' }, ANALYST);
    broken.on = true;
    for (const call of [() => service.issue({ name: 'x' }, ANALYST), () => service.verify(issued.token)]) {
      const answer = await outcome(call);
      expect(answer.code).toBe('unavailable');
      expect(answer.message).not.toContain(DRIVER_TEXT);
    }
  });
});

/** The fixture a row works on, made while the store still works. */
async function fixtureOf(service: TokenService) {
  const issued = await service.issue({ name: 'ci', ttl: '1d' }, ANALYST);
  const shared = await service.share(issued.info.id, ANALYST);
  const principal = await service.verify(issued.token);
  return { issued, shared, principal };
}

/** A call that reports failures in its answer (a maintenance pass) names the code only. */
function expectReportedFailures(answer: unknown): void {
  const text = JSON.stringify(answer);
  expect(text).not.toContain(DRIVER_TEXT);
  expect(text).toContain('unavailable');
}
