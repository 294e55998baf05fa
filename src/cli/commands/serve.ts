/** @internal `tokenward serve`: the API-tokens page and the management API, on loopback, as the `--as` user. */
import type { AddressInfo } from 'node:net';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../exit.js';
import { write } from '../io.js';
import { withDriver } from '../store.js';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const serve: Command = {
  path: 'serve',
  summary: 'serve the API-tokens page and the management API on loopback, acting as the --as user',
  usage: 'serve [--port N] [--host 127.0.0.1|::1|localhost]',
  description:
    'The page (docs/web.md) at / acts as the --as user given here (without --as: the operator, who acts FOR USER); ' +
    'anyone who can reach the port acts as that user, so it listens on loopback only and refuses other hosts and ' +
    'origins. The management API at /manage acts as the bearer token of each request (docs/http.md). Ctrl-C stops it.',
  options: { port: { type: 'string' }, host: { type: 'string' } },
  optionHelp: [
    ['--port N', 'the port (default 3000; 0 for any free one)'],
    ['--host HOST', 'a loopback address: 127.0.0.1 (default), ::1 or localhost'],
  ],
  args: [0, 0],
  pepper: true,
  async run(context) {
    const host = stringOption(context.values, 'host') ?? '127.0.0.1';
    if (!LOOPBACK.includes(host))
      throw new UsageError('--host must be a loopback address: 127.0.0.1, ::1 or localhost', 'serve');
    const port = integerOption(context.values, 'port', 'serve') ?? 3000;
    const express = (await withDriver('express', () => import('express'))).default;
    const { tokenPage } = await import('../../web/index.js');
    const { managementRouter, tokenAuth } = await import('../../express/index.js');
    const { service } = await context.session();
    const { tenant, as } = context.globals;
    // Fails now, not at the first request, when the user is unknown or inactive.
    if (as !== undefined) await service.explainMaxTtl({ tenant, user: as });

    const app = express();
    app.disable('x-powered-by');
    app.use('/', tokenPage(service, { tenant, actAs: as === undefined ? 'system' : { user: as } }));
    app.use('/manage', tokenAuth(service, { optional: true }), managementRouter(service));
    const server = app.listen(port, host);
    await new Promise<void>((ready, fail) => {
      server.once('listening', ready);
      server.once('error', fail);
    });
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
    const who = as === undefined ? 'the operator' : as;
    await write(
      context.io.stdout,
      context.globals.json
        ? `${JSON.stringify({ url, tenant, actingAs: as ?? 'system' })}\n`
        : `Serving ${url} (tenant ${tenant}, acting as ${who}); the management API is at ${url}manage. Ctrl-C stops it.\n`,
    );
    await stopSignal();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    return EXIT.ok;
  },
};
