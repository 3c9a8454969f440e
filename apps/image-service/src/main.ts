import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { connectEventSink } from '@berth/events';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { ImageServiceModule } from './image-service.module';
import { ImageGrpcController } from './grpc/image.grpc';
import { ImageDb } from './store/image-db';
import { ImageLeases } from './images/image-leases';
import { Puller } from './pull/puller';
import { Pusher } from './pull/pusher';
import { startPullWorker } from './jobs/pull-worker';
import { startPushWorker } from './jobs/push-worker';
import { redisConnectionOptions } from '@berth/jobs';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('image-service', config.logLevel);
  const events = connectEventSink(config.redisUrl, config.eventsMaxLength, logger);
  const app = await NestFactory.createApplicationContext(ImageServiceModule.forRoot(config, logger, events.sink), { logger: false });
  // A pull killed with its process left a lease and maybe layers no image took.
  await app.get(ImageLeases).sweep();
  const server = await startGrpcServer(config.services.image, [app.get(ImageGrpcController).binding()], logger);
  const workers = config.redisUrl
    ? [
      startPullWorker(app.get(Puller), redisConnectionOptions(config.redisUrl), logger),
      startPushWorker(app.get(Pusher), redisConnectionOptions(config.redisUrl), logger),
    ]
    : [];
  stopOnSignals(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await server.stop();
    app.get(ImageDb).close();
    await app.close();
    events.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`image-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
