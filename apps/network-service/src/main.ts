import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { connectEventSink } from '@berth/events';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { loadNetworkConfig } from './config/network-config';
import { NetworkServiceModule } from './network-service.module';
import { NetworkGrpcController } from './grpc/network.grpc';
import { NetworkManager } from './networks/network-manager';
import { NetworkStore } from './networks/network-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('network-service', config.logLevel);
  const networkConfig = loadNetworkConfig(config.runRoot, config.dataRoot);
  const events = connectEventSink(config.redisUrl, config.eventsMaxLength, logger);
  const app = await NestFactory.createApplicationContext(NetworkServiceModule.forRoot(networkConfig, logger, events.sink), { logger: false });
  await app.get(NetworkManager).start();
  const server = await startGrpcServer(config.services.network, [app.get(NetworkGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    app.get(NetworkStore).close();
    await app.close();
    events.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`network-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
