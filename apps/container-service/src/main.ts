import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { connectEventSink } from '@berth/events';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { ContainerServiceModule } from './container-service.module';
import { ContainerGrpcController } from './grpc/container.grpc';
import { ContainerLogsGrpcController } from './grpc/logs.grpc';
import { ContainerFilesGrpcController } from './grpc/files.grpc';
import { ContainerStatsGrpcController } from './grpc/stats.grpc';
import { ContainerExecGrpcController } from './grpc/exec.grpc';
import { ContainerStore } from './containers/container-store';
import { ContainerLifecycle } from './lifecycle/container-lifecycle';
import { ImageLeaseKeeper } from './images/image-lease-keeper';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('container-service', config.logLevel);
  const events = connectEventSink(config.redisUrl, config.eventsMaxLength, logger);
  const app = await NestFactory.createApplicationContext(ContainerServiceModule.forRoot(config, logger, events.sink), { logger: false, abortOnError: false });
  const server = await startGrpcServer(config.services.container, [
    app.get(ContainerGrpcController).binding(),
    app.get(ContainerLogsGrpcController).binding(),
    app.get(ContainerFilesGrpcController).binding(),
    app.get(ContainerStatsGrpcController).binding(),
    app.get(ContainerExecGrpcController).binding(),
  ], logger);
  // Containers that ran on while this service was down are picked up again.
  void app.get(ContainerLifecycle).restore().catch((err: unknown) => logger.error('restore failed', { error: err instanceof Error ? err.message : String(err) }));
  // Image leases follow the records; removals made while image-service was down are settled here.
  void app.get(ImageLeaseKeeper).start();
  stopOnSignals(async () => {
    app.get(ImageLeaseKeeper).close();
    app.get(ContainerLifecycle).close();
    await server.stop();
    app.get(ContainerStore).close();
    await app.close();
    events.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`container-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
