/**
 * The `tokenward` command line (docs/cli.md): finds the command, parses its
 * options, opens the store when the command needs it, runs it as `--as` or
 * the operator, prints its answer, and answers the exit code. Every error
 * is reported on stderr (a `TokenError` by code and message) and closes the
 * store first.
 */
import type { Actor } from '../service/types.js';
import { commandPath, type Globals, parseCommandLine } from './args.js';
import type { Command, CommandContext } from './command.js';
import { MAINTENANCE_COMMANDS } from './commands/maintenance.js';
import { audit, ROLE_COMMANDS } from './commands/roles.js';
import { serve } from './commands/serve.js';
import { SQL_COMMANDS } from './commands/sql.js';
import { TOKEN_COMMANDS } from './commands/tokens.js';
import { USER_COMMANDS } from './commands/users.js';
import { checkDbValue, looksLikeToken } from './db-path.js';
import { describeFailure, EXIT, type ExitCode, exitCodeOf, UsageError } from './exit.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { type CliIo, OutputClosed, write } from './io.js';
import { type Answer, print } from './output.js';
import { isPostgresUrl, openSession, type Session } from './store.js';

/** An argument as an error message may show it: never a token pasted in the wrong place. */
function shown(arg: string): string {
  return looksLikeToken(arg) ? '(a token, not shown)' : arg;
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  ...MAINTENANCE_COMMANDS.slice(0, 1),
  ...USER_COMMANDS,
  ...ROLE_COMMANDS,
  audit,
  ...TOKEN_COMMANDS,
  ...MAINTENANCE_COMMANDS.slice(1),
  ...SQL_COMMANDS,
  serve,
];

const GROUPS = ['users', 'roles'];

/** The command a command line names, or the help to print instead. */
function findCommand(path: readonly string[]): Command | { help: string; code: ExitCode } {
  const [first, second] = path;
  if (first === undefined) return { help: mainHelp(COMMANDS), code: EXIT.usage };
  if (first === 'help') return { help: mainHelp(COMMANDS), code: EXIT.ok };
  if (GROUPS.includes(first)) {
    const members = COMMANDS.filter((command) => command.path.startsWith(`${first} `));
    const found = members.find((command) => command.path === `${first} ${second}`);
    if (found !== undefined) return found;
    if (second === undefined) return { help: groupHelp(first, members), code: EXIT.usage };
    throw new UsageError(`unknown command: ${shown(first)} ${shown(second)}`, first);
  }
  const found = COMMANDS.find((command) => command.path === first);
  if (found === undefined) throw new UsageError(`unknown command: ${shown(first)}`);
  return found;
}

/**
 * Prints the answer; when its reader went away before a secret in it could
 * be written, takes the secret back where the command can (`undelivered`)
 * and says so on stderr, then fails with `OutputClosed`.
 */
async function printOrTakeBack(io: CliIo, globals: Globals, answer: Answer): Promise<void> {
  try {
    await print(io, globals, answer);
  } catch (error) {
    if (!(error instanceof OutputClosed) || answer.undelivered === undefined) throw error;
    const said = await answer
      .undelivered()
      .catch(
        (failure: unknown) => `the secret was not written, and taking it back failed: ${describeFailure(failure).text}`,
      );
    await write(io.stderr, `tokenward: ${said}\n`).catch(() => {});
    throw error;
  }
}

/** Runs one command line; answers its exit code (docs/cli.md). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const json = argv.includes('--json');
  let session: Session | undefined;
  try {
    const path = commandPath(argv);
    const found = findCommand(path);
    if (!('run' in found)) {
      const help = argv.includes('--help') || argv.includes('-h');
      await write(help || found.code === EXIT.ok ? io.stdout : io.stderr, found.help);
      return help ? EXIT.ok : found.code;
    }
    const command = found;
    const { globals, values, positionals } = parseCommandLine(argv, command.options ?? {}, command.path, io.env);
    if (globals.help) {
      await write(io.stdout, commandHelp(command));
      return EXIT.ok;
    }
    const args = positionals.slice(command.path.split(' ').length);
    const [min, max] = command.args;
    if (args.length < min) throw new UsageError('an argument is missing', command.path);
    if (args.length > max) throw new UsageError(`unexpected argument: ${shown(args[max]!)}`, command.path);
    if (command.operatorOnly && globals.as !== undefined) {
      throw new UsageError(`${command.path} runs as the operator: leave out --as`, command.path);
    }
    checkDbValue(globals, isPostgresUrl(globals.db), command.path);
    if (globals.schema !== undefined && !isPostgresUrl(globals.db)) {
      throw new UsageError('--schema is for a PostgreSQL store (--db postgres://…)', command.path);
    }
    const actor: Actor = globals.as === undefined ? 'system' : { tenant: globals.tenant, user: globals.as };
    const context: CommandContext = {
      io,
      globals,
      values,
      args,
      actor,
      session: async () => {
        session ??= await openSession(globals, io.env, io.cwd, {
          command: command.path,
          pepper: command.pepper === true,
          createsStore: command.createsStore === true,
        });
        return session;
      },
    };
    const answer = await command.run(context);
    if (typeof answer === 'number') return answer;
    await printOrTakeBack(io, globals, answer);
    return EXIT.ok;
  } catch (error) {
    // A reader that went away (`| head`) ends the command quietly, as SIGPIPE would, with its own exit code.
    if (error instanceof OutputClosed) return EXIT.outputClosed;
    const { text, json: asJson } = describeFailure(error);
    // stderr may be closed too: nothing more can be said then, and nothing may crash.
    await write(io.stderr, `${json ? JSON.stringify(asJson) : text}\n`).catch(() => {});
    return exitCodeOf(error);
  } finally {
    await session?.close().catch(() => {});
  }
}
