import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { tokenAuth } from '../../src/express/index.js';
import type { ExtractionOptions } from '../../src/http/extract.js';
import type { TokenService } from '../../src/service/token-service.js';

/** A running HTTP gateway in front of a token service, on a real socket. */
export interface Gateway {
  /** GET `/api/whoami` with the given headers: the status, challenge and who the token speaks for. */
  whoami(headers: Record<string, string>): Promise<{ status: number; challenge: string | null; body: unknown }>;
  close(): Promise<void>;
}

/**
 * Starts an Express app on 127.0.0.1 whose `/api` routes are guarded by
 * `tokenAuth` with the given extraction options, as the seed systems' API
 * gateways are.
 */
export async function startGateway(service: TokenService, extraction: ExtractionOptions = {}): Promise<Gateway> {
  const app = express();
  app.use('/api', tokenAuth(service, { realm: 'gateway', ...extraction }));
  app.get('/api/whoami', (req, res) => {
    const principal = req.tokenPrincipal;
    res.json({ type: principal?.type, owner: principal?.owner, tenant: principal?.tenant, name: principal?.name });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    async whoami(headers) {
      const response = await fetch(`http://127.0.0.1:${port}/api/whoami`, { headers });
      const text = await response.text();
      return {
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
        body: text.length === 0 ? null : JSON.parse(text),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
