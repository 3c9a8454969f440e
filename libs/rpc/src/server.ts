import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Server, ServerCredentials, ServiceDefinition, UntypedServiceImplementation,
  handleUnaryCall, sendUnaryData, ServerUnaryCall,
} from '@grpc/grpc-js';
import { health } from '@berth/proto';
import type { Logger } from '@berth/logging';
import { toStatusObject } from './errors';

export interface ServiceBinding {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** Adapts an async function to a grpc-js unary handler, mapping thrown errors to statuses. */
export function unary<Req, Res>(fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res, logger?: Logger): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then((res) => callback(null, res), (err: unknown) => {
        const st = toStatusObject(err);
        if (st.code === 13) logger?.error('rpc failed', { method: call.getPath(), error: st.details, stack: err instanceof Error ? err.stack : undefined });
        callback({ code: st.code, details: st.details });
      });
  };
}

export interface RunningServer {
  server: Server;
  address: string;
  stop(): Promise<void>;
}

/**
 * Serves the given services plus grpc.health.v1 on `address` (`unix:/path` or
 * `host:port`). A stale unix socket from a previous run is replaced.
 */
export async function startGrpcServer(address: string, bindings: ServiceBinding[], logger?: Logger): Promise<RunningServer> {
  const server = new Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // Channelz's per-call bookkeeping is a third of a small call's CPU, and nothing reads it.
    'grpc.enable_channelz': 0,
  });
  for (const b of bindings) server.addService(b.definition, b.implementation);
  const healthImpl: health.HealthServer = {
    check: unary(async () => ({ status: health.HealthCheckResponse_ServingStatus.SERVING })),
  };
  server.addService(health.HealthService, healthImpl);

  if (address.startsWith('unix:')) {
    const socketPath = address.replace(/^unix:(\/\/)?/, '');
    fs.mkdirSync(path.dirname(socketPath), { recursive: true });
    fs.rmSync(socketPath, { force: true });
  }
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  // The services trust their callers (they create containers as root): only
  // this user may connect, whatever the umask. TCP addresses are for
  // separate hosts and are the deployment's to protect.
  if (address.startsWith('unix:')) fs.chmodSync(address.replace(/^unix:(\/\/)?/, ''), 0o600);
  logger?.info('grpc listening', { address });
  return {
    server,
    address,
    stop: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
