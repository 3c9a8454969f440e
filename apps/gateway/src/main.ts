import 'reflect-metadata';
import * as http from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { stopOnSignals } from '@berth/rpc';
import { GatewayModule } from './gateway.module';
import { rewriteVersionedUrl, checkApiVersion } from './server/api-version';
import { ApiErrorFilter } from './server/error.filter';
import { registerBodyParsers } from './server/body';
import { openListeners, closeListeners } from './server/listeners';
import { COMMON_HEADERS } from './server/identity';
import { UpgradeRouter } from './server/upgrade';
import { ServiceClients } from './services/service-clients';
import { registerHijackRoutes } from './hijack/hijack-routes';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel);
  if (!config.redisUrl) throw new Error('REDIS_URL is not set');

  // Fastify routes requests; the listeners (unix socket, TCP, TLS) are ours, so
  // one handler serves them all.
  let handler: Handler | undefined;
  const adapter = new FastifyAdapter({
    logger: false,
    // HEAD routes are declared where the Engine API has them (/_ping, archive).
    exposeHeadRoutes: false,
    bodyLimit: config.gateway.bodyLimit,
    rewriteUrl: rewriteVersionedUrl,
    serverFactory: (h: Handler) => {
      handler = h;
      return http.createServer(h);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, logger), adapter, {
    logger: ['error'],
    bodyParser: false,
    abortOnError: false,
  });
  app.useGlobalFilters(new ApiErrorFilter(logger));
  app.enableShutdownHooks([]);
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, config.gateway.bodyLimit);
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) reply.raw.setHeader(k, v);
    try {
      checkApiVersion(request.raw);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  // dockerd answers plain application/json; some clients compare it exactly.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.getHeader('content-type') === 'application/json; charset=utf-8') reply.header('content-type', 'application/json');
    done(null, payload);
  });
  await app.init();
  await fastify.ready();
  if (!handler) throw new Error('HTTP handler was not created');

  const upgrades = new UpgradeRouter();
  registerHijackRoutes(upgrades, app.get(ServiceClients), logger);
  const listeners = await openListeners(config.gateway, handler, upgrades.handle);
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
