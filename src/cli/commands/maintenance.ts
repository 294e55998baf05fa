/** @internal `tokenward init`, `verify` and `purge`. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { isTokenError, TokenError } from '../../core/errors.js';
import { timestamp } from '../../sql/answers.js';
import type { Command } from '../command.js';
import { describeFailure, EXIT, UsageError } from '../exit.js';
import { grantsText } from '../grants.js';
import { readAll, write } from '../io.js';
import { table } from '../output.js';

/** A new pepper: 32 random bytes, base64url (43 characters). */
function newPepper(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes a new pepper file readable by its owner only; an existing file is never replaced. */
function writePepperFile(path: string, pepper: string): void {
  try {
    writeFileSync(path, `${pepper}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST')
      throw new TokenError('conflict', 'the pepper file exists already; it is never replaced', {
        field: 'pepper-file',
      });
    throw new TokenError('invalid_request', `the pepper file cannot be written (${String(code ?? 'error')})`, {
      field: 'pepper-file',
    });
  }
}

const init: Command = {
  path: 'init',
  summary: 'create the store and its schema (any command migrates an older one) and optionally a pepper',
  usage: 'init [--generate-pepper [--pepper-file FILE]]',
  description:
    'With --generate-pepper, a new pepper (the server-side secret that keys the stored hashes) is printed once, ' +
    'or written to --pepper-file (created readable by you only; an existing file is never replaced). ' +
    'Keep it: tokens issued under it verify only with it.',
  options: { 'generate-pepper': { type: 'boolean' } },
  optionHelp: [['--generate-pepper', 'make a new pepper: printed once, or written to --pepper-file']],
  args: [0, 0],
  operatorOnly: true,
  createsStore: true,
  async run(context) {
    const generate = context.values['generate-pepper'] === true;
    const file = context.globals.pepperFile;
    const pepper = generate ? newPepper() : undefined;
    // The file is written before the store is touched: a refused file leaves nothing half-done.
    if (pepper !== undefined && file !== undefined) writePepperFile(file, pepper);
    const { store } = await context.session();
    const json = {
      store: store.kind,
      location: store.location,
      schemaVersion: store.schemaVersion,
      ...(pepper === undefined ? {} : file === undefined ? { pepper } : { pepperFile: file }),
    };
    const rows = [[store.kind, store.location, store.schemaVersion]];
    const tables: (ReturnType<typeof table> | string)[] = [table(['store', 'location', 'schema_version'], rows)];
    if (pepper !== undefined && file === undefined) {
      tables.push(
        `\nA new pepper, shown this once (it is not saved anywhere):\n\n  TOKENWARD_PEPPER=${pepper}\n\n` +
          'Keep it in your secret store; tokens issued under it verify only with it.\n',
      );
    } else if (file !== undefined && pepper !== undefined) {
      tables.push(`\nA new pepper was written to ${file} (readable by you only). Pass --pepper-file ${file}.\n`);
    }
    return { json, tables };
  },
};

const TOKEN_REFUSALS = ['token_invalid', 'token_expired', 'token_revoked'] as const;

const verify: Command = {
  path: 'verify',
  summary: 'verify a token (read from stdin when not given): exit 0 when valid, 3 when not',
  usage: 'verify [TOKEN]',
  description:
    'Reads the token from stdin when no argument is given, so it stays out of your shell history and the process list. ' +
    'With --tenant (or TOKENWARD_TENANT), a token of another tenant is not valid.',
  args: [0, 1],
  pepper: true,
  async run(context) {
    const given = context.args[0] ?? (await readAll(context.io.stdin)).trim();
    if (given === '') throw new UsageError('no token: pipe it to stdin (or give it as an argument)', 'verify');
    const { service } = await context.session();
    const { tenant, tenantNamed, json } = context.globals;
    let principal: Awaited<ReturnType<typeof service.verify>>;
    try {
      principal = await service.verify(given, tenantNamed ? { tenant } : {});
    } catch (error) {
      if (!isTokenError(error) || !(TOKEN_REFUSALS as readonly string[]).includes(error.code)) throw error;
      // "Not valid" is verify's answer, not a failure of the command: JSON on stdout, the reason on stderr.
      if (json) await write(context.io.stdout, `${JSON.stringify({ valid: false, ...describeFailure(error).json })}\n`);
      else await write(context.io.stderr, `not valid: ${error.code}: ${error.message}\n`);
      return EXIT.invalidToken;
    }
    const { tokenId, type, owner, name, grants, expiresAt } = principal;
    return {
      json: { valid: true, principal: { tokenId, type, tenant: principal.tenant, owner, name, grants, expiresAt } },
      tables: [
        table(
          ['valid', 'id', 'type', 'tenant', 'owner', 'name', 'expires_at', 'grants'],
          [[true, tokenId, type, principal.tenant, owner, name, timestamp(expiresAt), grantsText(grants)]],
        ),
      ],
    };
  },
};

const purge: Command = {
  path: 'purge',
  summary: 'delete tokens expired longer than the grace window (30 days) and events past retention (6 months)',
  usage: 'purge',
  args: [0, 0],
  operatorOnly: true,
  async run(context) {
    const { service } = await context.session();
    const tokens = await service.purgeExpired();
    const events = await service.pruneEvents();
    return {
      json: { purgedTokens: tokens, prunedEvents: events },
      tables: [table(['purged_tokens', 'pruned_events'], [[tokens, events]])],
    };
  },
};

export const MAINTENANCE_COMMANDS: readonly Command[] = [init, verify, purge];
