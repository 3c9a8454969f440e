import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Server, ServiceDefinition, UntypedServiceImplementation,
  handleUnaryCall, sendUnaryData, ServerUnaryCall,
} from '@grpc/grpc-js';
import { health } from '@berth/proto';
import { GrpcTlsConfig, loadGrpcTls } from '@berth/config';
import type { Logger } from '@berth/logging';
import { toStatusObject } from './errors';
import { isPlaintextTcp, serverCredentialsFor } from './transport';

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
 * `host:port`). A stale unix socket from a previous run is replaced. A TCP
 * address needs mutual TLS (`tls`, from the BERTH_GRPC_* variables by
 * default) or the insecure switch, which is warned about at every start.
 */
export async function startGrpcServer(address: string, bindings: ServiceBinding[], logger?: Logger, tls: GrpcTlsConfig = loadGrpcTls()): Promise<RunningServer> {
  // Before anything is bound: a refused configuration never listens.
  const credentials = serverCredentialsFor(address, tls, logger);
  if (isPlaintextTcp(address, tls)) {
    logger?.warn('grpc listening on TCP without TLS (BERTH_GRPC_INSECURE=1): whoever reaches this address is root on this host', { address });
  }
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
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
  // The services trust their callers (they create containers as root): only
  // this user may connect, whatever the umask. TCP has mutual TLS instead.
  if (address.startsWith('unix:')) fs.chmodSync(address.replace(/^unix:(\/\/)?/, ''), 0o600);
  logger?.info('grpc listening', { address, tls: !isPlaintextTcp(address, tls) && !address.startsWith('unix:') });
  return {
    server,
    address,
    stop: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}
