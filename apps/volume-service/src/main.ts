import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { connectEventSink } from '@berth/events';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { VolumeServiceModule } from './volume-service.module';
import { VolumeGrpcController } from './grpc/volume.grpc';
import { VolumeManager } from './volumes/volume-manager';
import { VolumeStore } from './volumes/volume-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('volume-service', config.logLevel);
  const events = connectEventSink(config.redisUrl, config.eventsMaxLength, logger);
  const app = await NestFactory.createApplicationContext(VolumeServiceModule.forRoot(config, logger, events.sink), { logger: false });
  // In the background: a crash mid-removal may have left a lot to delete.
  app.get(VolumeManager).start().catch((err: unknown) => logger.warn('could not finish interrupted removals', { error: err instanceof Error ? err.message : String(err) }));
  const server = await startGrpcServer(config.services.volume, [app.get(VolumeGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    app.get(VolumeStore).close();
    await app.close();
    events.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`volume-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
