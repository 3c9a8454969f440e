import 'reflect-metadata';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BerthConfig, loadConfig } from '@berth/config';
import { connectEventSink, EventSink } from '@berth/events';
import { createLogger, Logger } from '@berth/logging';
import { ServiceBinding, startGrpcServer } from './server';
import { serverCredentialsFor } from './transport';
import { stopOnSignals } from './lifecycle';

/** A controller that serves one gRPC service of the contract. */
export interface GrpcController {
  binding(): ServiceBinding;
}

export interface GrpcServiceSpec {
  /** e.g. "image-service": the logger's component and the failure message. */
  name: string;
  /** Where it listens, from the configuration. */
  address(config: BerthConfig): string;
  /** The service's module, built from its three inputs. */
  module(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule;
  controllers: Type<GrpcController>[];
}

/**
 * The one shape of every gRPC service's main: configuration, logger and
 * events stream; the module's graph built by Nest, whose start-up work runs
 * in its providers' onApplicationBootstrap; the gRPC server; on SIGTERM the
 * server stops first, then the module closes (providers release what they
 * hold in onModuleDestroy / onApplicationShutdown), then the events stream.
 */
export async function runGrpcService(spec: GrpcServiceSpec): Promise<INestApplicationContext> {
  const config = loadConfig();
  const logger = createLogger(spec.name, config.logLevel);
  // A TCP address without TLS (and no insecure switch) is refused before any start-up work.
  serverCredentialsFor(spec.address(config), config.grpcTls, logger);
  const events = connectEventSink(config.redisUrl, config.eventsMaxLength, logger);
  // Creating the context runs the providers' start-up hooks.
  const app = await NestFactory.createApplicationContext(spec.module(config, logger, events.sink), { logger: false, abortOnError: false });
  const server = await startGrpcServer(spec.address(config), spec.controllers.map((c) => app.get(c).binding()), logger, config.grpcTls);
  stopOnSignals(async () => {
    await server.stop();
    await app.close();
    events.close();
  }, logger);
  return app;
}

/** main.ts of a gRPC service: runs it, or says why it could not start and exits 1. */
export function mainOf(spec: GrpcServiceSpec): void {
  runGrpcService(spec).catch((err: unknown) => {
    process.stderr.write(`${spec.name} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
