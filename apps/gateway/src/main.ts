import 'reflect-metadata';
import type * as http from 'node:http';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { stopOnSignals } from '@berth/rpc';
import { GatewayModule } from './gateway.module';
import { createGatewayApp } from './server/app';
import { openListeners, closeListeners, Listener } from './server/listeners';
import { planListeners } from './server/listener-plan';
import { UpgradeRouter } from './server/upgrade';
import { registerHijackRoutes } from './hijack/hijack-routes';
import { ContainerAttach } from './hijack/attach.hijack';
import { ExecStart } from './hijack/exec.hijack';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel);
  // A listener that would expose the engine is refused before anything starts.
  try {
    planListeners(config.gateway);
  } catch (err) {
    process.stderr.write(`gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  if (!config.redisUrl) throw new Error('REDIS_URL is not set');

  // Fastify routes requests; the listeners (unix socket, TCP, TLS) are ours, so
  // one handler serves them all.
  let handler: Handler | undefined;
  const app = await createGatewayApp(GatewayModule.forRoot(config, logger), {
    bodyLimit: config.gateway.bodyLimit,
    logger,
    hostRoots: [config.dataRoot, config.runRoot],
    onHandler: (h) => { handler = h; },
  });
  app.enableShutdownHooks([]);
  if (!handler) throw new Error('HTTP handler was not created');

  const upgrades = new UpgradeRouter(handler, config.gateway.bodyTimeoutMs);
  registerHijackRoutes(upgrades, app.get(ContainerAttach), app.get(ExecStart));
  let listeners: Listener[];
  try {
    listeners = await openListeners(config.gateway, { request: handler, upgrade: upgrades.handle }, logger);
  } catch (err) {
    await app.close();
    throw err;
  }
  logger.info('Engine API listening', { addresses: listeners.map((l) => l.address) });

  stopOnSignals(async () => {
    await closeListeners(listeners);
    await app.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
