import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { ContainerServiceModule } from './container-service.module';
import { ContainerGrpcController } from './grpc/container.grpc';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('container-service', config.logLevel);
  const app = await NestFactory.createApplicationContext(ContainerServiceModule, { logger: false });
  const server = await startGrpcServer(config.services.container, [app.get(ContainerGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    await app.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`container-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
