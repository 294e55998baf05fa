#!/usr/bin/env node
/**
 * The `tokenward` executable (package.json `bin`): runs the command line
 * and exits with its code. Node only; nothing in the library imports it.
 */
import { processIo } from './io.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
