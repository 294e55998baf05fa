/** @internal What a command of the CLI is, and what it runs with. */
import type { Actor } from '../service/types.js';
import type { Globals, OptionSpec } from './args.js';
import type { ExitCode } from './exit.js';
import type { CliIo } from './io.js';
import type { Answer } from './output.js';
import type { Session } from './store.js';

export interface CommandContext {
  readonly io: CliIo;
  readonly globals: Globals;
  /** The command's own option values (and the global ones). */
  readonly values: Record<string, unknown>;
  /** The arguments after the command's name. */
  readonly args: readonly string[];
  /** `--as USER` in `--tenant`, or the operator (`'system'`). */
  readonly actor: Actor;
  /** Opens the store and the service over it (once; closed when the command ends). */
  session(): Promise<Session>;
}

export interface Command {
  /** `issue`, or a group's `users add`. */
  readonly path: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line after `tokenward `. */
  readonly usage: string;
  /** More about the command, for its `--help`. */
  readonly description?: string;
  readonly options?: OptionSpec;
  /** `[option, what it does]` for `--help`. */
  readonly optionHelp?: readonly (readonly [string, string])[];
  /** How many arguments it takes: at least, at most. */
  readonly args: readonly [number, number];
  /** Makes or checks secrets: needs the pepper. */
  readonly pepper?: boolean;
  /** Creates a SQLite store named by `--db` that does not exist yet (`init`); other commands refuse one. */
  readonly createsStore?: boolean;
  /** Maintenance of the store itself: runs as the operator, never `--as`. */
  readonly operatorOnly?: boolean;
  /** An answer to print, or an exit code when the command printed for itself. */
  run(context: CommandContext): Promise<Answer | ExitCode>;
}
