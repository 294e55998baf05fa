/**
 * @internal The command line: options every command takes, the command
 * (and subcommand) named, and each command's own options, all parsed with
 * `node:util`'s `parseArgs` in strict mode (an unknown option is a usage
 * error, never ignored).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit.js';

/** How an option is written: `--name VALUE` (string) or `--name` (boolean), maybe repeated. */
export interface OptionDef {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export type OptionSpec = Readonly<Record<string, OptionDef>>;

/** The options of every command (docs/cli.md, "Options of every command"). */
export const GLOBAL_OPTIONS = {
  db: { type: 'string' },
  schema: { type: 'string' },
  'pepper-file': { type: 'string' },
  as: { type: 'string' },
  tenant: { type: 'string' },
  prefix: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** What the options of every command say, with the environment's defaults applied. */
export interface Globals {
  /** A SQLite file or a `postgres://` URL (`--db`, else `DATABASE_URL`, else `./tokenward.db`). */
  readonly db: string;
  /**
   * The setting that named the store, for messages about it: `--db`, or
   * `DATABASE_URL`; undefined for the default `./tokenward.db`.
   */
  readonly dbSetting: '--db' | 'DATABASE_URL' | undefined;
  readonly schema: string | undefined;
  readonly pepperFile: string | undefined;
  /** `--as`: the user who acts; undefined for the operator (`'system'`). */
  readonly as: string | undefined;
  /** `--tenant`, else `TOKENWARD_TENANT`, else `default`. */
  readonly tenant: string;
  /** Whether a tenant was named (`verify` then refuses tokens of other tenants). */
  readonly tenantNamed: boolean;
  readonly prefix: string | undefined;
  readonly json: boolean;
  readonly help: boolean;
}

/** The command and subcommand a command line names, found before its own options are known. */
export function commandPath(argv: readonly string[]): string[] {
  const { tokens } = parseArgs({
    args: [...argv],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return (tokens ?? []).flatMap((token) => (token.kind === 'positional' ? [token.value] : [])).slice(0, 2);
}

/** Parses the whole command line with the command's options; anything unknown is a `UsageError`. */
export function parseCommandLine(
  argv: readonly string[],
  spec: OptionSpec,
  command: string,
  env: Readonly<Record<string, string | undefined>>,
): { globals: Globals; values: Record<string, unknown>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...spec } as ParseArgsConfig['options'],
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    // parseArgs's messages name the option and say what is wrong with it.
    throw new UsageError(
      error instanceof Error ? error.message.replace(/\. To specify .*$/s, '') : String(error),
      command,
    );
  }
  const values = parsed.values;
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const tenant = text('tenant') ?? env.TOKENWARD_TENANT;
  const globals: Globals = {
    db: text('db') ?? (env.DATABASE_URL || undefined) ?? 'tokenward.db',
    dbSetting: text('db') !== undefined ? '--db' : env.DATABASE_URL ? 'DATABASE_URL' : undefined,
    schema: text('schema'),
    pepperFile: text('pepper-file'),
    as: text('as'),
    tenant: tenant ?? 'default',
    tenantNamed: tenant !== undefined,
    prefix: text('prefix') ?? (env.TOKENWARD_PREFIX || undefined),
    json: values.json === true,
    help: values.help === true,
  };
  return { globals, values, positionals: parsed.positionals };
}

/** A string option's value, if given. */
export function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  return values[name] as string | undefined;
}

/** A repeatable option's values. */
export function listOption(values: Record<string, unknown>, name: string): string[] {
  return (values[name] as string[] | undefined) ?? [];
}

/** At most one of these boolean options. */
export function oneOf(values: Record<string, unknown>, names: readonly string[], command: string): string | undefined {
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 1)
    throw new UsageError(`${given.map((name) => `--${name}`).join(' and ')} cannot be combined`, command);
  return given[0];
}

/** A whole-number option, if given; anything else is a `UsageError`. */
export function integerOption(values: Record<string, unknown>, name: string, command: string): number | undefined {
  const text = values[name] as string | undefined;
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${name} must be a whole number`, command);
  return Number(text);
}
