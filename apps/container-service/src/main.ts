import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { createRedis, EventPublisher } from '@berth/events';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { ContainerServiceModule } from './container-service.module';
import { ContainerGrpcController } from './grpc/container.grpc';
import { ContainerStore } from './containers/container-store';
import { discardEvents, EventSink } from './containers/event-sink';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('container-service', config.logLevel);
  let events: EventSink = discardEvents;
  const redis = config.redisUrl ? createRedis(config.redisUrl, { maxRetriesPerRequest: 3 }) : undefined;
  if (redis) {
    redis.on('error', (err: Error) => logger.warn('redis connection error', { error: err.message }));
    events = new EventPublisher(redis, config.eventsMaxLength);
  } else {
    logger.warn('REDIS_URL is not set: container events are not published');
  }
  const app = await NestFactory.createApplicationContext(ContainerServiceModule.forRoot(config, logger, events), { logger: false });
  const server = await startGrpcServer(config.services.container, [app.get(ContainerGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    app.get(ContainerStore).close();
    await app.close();
    redis?.disconnect();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`container-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
