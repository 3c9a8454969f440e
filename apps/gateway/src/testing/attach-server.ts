import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerAttachBackend } from '../backends/container.backend';
import { ContainerAttach } from '../hijack/attach.hijack';
import type { ExecStart } from '../hijack/exec.hijack';
import { registerHijackRoutes } from '../hijack/hijack-routes';
import { UpgradeRouter } from '../server/upgrade';
import { silentLogger } from './fake-app';

/** For tests: an HTTP server on a loopback port whose upgrades are the gateway's attach routes over `backend`. */
export async function startAttachServer(backend: ContainerAttachBackend): Promise<{ port: number; close(): void }> {
  const router = new UpgradeRouter((_req, res) => res.end(), 5000);
  registerHijackRoutes(router, new ContainerAttach(backend, silentLogger), {} as ExecStart);
  const server = http.createServer((_req, res) => res.end());
  server.on('upgrade', router.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
