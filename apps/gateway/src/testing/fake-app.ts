import type { Provider } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@berth/logging';
import { GatewayModule } from '../gateway.module';
import { createGatewayApp } from '../server/app';
import type { ContainerAttachBackend, ContainerBackend, ContainerCopyBackend, ContainerMonitorBackend } from '../backends/container.backend';
import type { ExecBackend } from '../backends/exec.backend';
import type { DistributionBackend, ImageBackend } from '../backends/image.backend';
import type { VolumeBackend } from '../backends/volume.backend';
import type { NetworkBackend } from '../backends/network.backend';
import type { EventsBackend, SystemBackend } from '../backends/system.backend';
import {
  CONTAINER_ATTACH_BACKEND, CONTAINER_BACKEND, CONTAINER_COPY_BACKEND, CONTAINER_MONITOR_BACKEND,
  DISTRIBUTION_BACKEND, EVENTS_BACKEND, EXEC_BACKEND, IMAGE_BACKEND, NETWORK_BACKEND, SYSTEM_BACKEND, VOLUME_BACKEND,
} from '../backends/tokens';

/** The backends a test fakes; only the methods it expects to be called. */
export interface FakeBackends {
  containers?: Partial<ContainerBackend>;
  attach?: Partial<ContainerAttachBackend>;
  monitor?: Partial<ContainerMonitorBackend>;
  copy?: Partial<ContainerCopyBackend>;
  exec?: Partial<ExecBackend>;
  images?: Partial<ImageBackend>;
  distribution?: Partial<DistributionBackend>;
  volumes?: Partial<VolumeBackend>;
  networks?: Partial<NetworkBackend>;
  system?: Partial<SystemBackend>;
  events?: Partial<EventsBackend>;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** A backend with only the given methods: a route calling another fails (500), which the test sees. */
function fake<T>(given: Partial<T> | undefined): T {
  return (given ?? {}) as T;
}

/** An error as a gRPC client reports it: toApiError maps its code to the HTTP status. */
export function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

/** The whole Engine API application (routes, version prefix, headers, errors) over fake backends. */
export function fakeApp(backends: FakeBackends = {}): Promise<NestFastifyApplication> {
  const providers: Provider[] = [
    { provide: CONTAINER_BACKEND, useValue: fake(backends.containers) },
    { provide: CONTAINER_ATTACH_BACKEND, useValue: fake(backends.attach) },
    { provide: CONTAINER_MONITOR_BACKEND, useValue: fake(backends.monitor) },
    { provide: CONTAINER_COPY_BACKEND, useValue: fake(backends.copy) },
    { provide: EXEC_BACKEND, useValue: fake(backends.exec) },
    { provide: IMAGE_BACKEND, useValue: fake(backends.images) },
    { provide: DISTRIBUTION_BACKEND, useValue: fake(backends.distribution) },
    { provide: VOLUME_BACKEND, useValue: fake(backends.volumes) },
    { provide: NETWORK_BACKEND, useValue: fake(backends.networks) },
    { provide: SYSTEM_BACKEND, useValue: fake(backends.system) },
    { provide: EVENTS_BACKEND, useValue: fake(backends.events) },
  ];
  return createGatewayApp(GatewayModule.withBackends(silentLogger, providers), { bodyLimit: 1024 * 1024, logger: silentLogger });
}
