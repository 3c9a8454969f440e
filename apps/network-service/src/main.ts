import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { NetworkServiceModule } from './network-service.module';
import { NetworkGrpcController } from './grpc/network.grpc';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('network-service', config.logLevel);
  const app = await NestFactory.createApplicationContext(NetworkServiceModule, { logger: false });
  const server = await startGrpcServer(config.services.network, [app.get(NetworkGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    await app.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`network-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
