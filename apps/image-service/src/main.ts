import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { startGrpcServer, stopOnSignals } from '@berth/rpc';
import { ImageServiceModule } from './image-service.module';
import { ImageGrpcController } from './grpc/image.grpc';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('image-service', config.logLevel);
  const app = await NestFactory.createApplicationContext(ImageServiceModule, { logger: false });
  const server = await startGrpcServer(config.services.image, [app.get(ImageGrpcController).binding()], logger);
  stopOnSignals(async () => {
    await server.stop();
    await app.close();
  }, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`image-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
