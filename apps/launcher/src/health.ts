import * as http from 'node:http';
import * as net from 'node:net';
import { ChannelCredentials, Metadata, credentials } from '@grpc/grpc-js';
import { health } from '@berth/proto';

const POLL_INTERVAL_MS = 100;

export class HealthTimeoutError extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls `probe` until it resolves true, the deadline passes (rejects with
 * HealthTimeoutError carrying the last failure) or `signal` aborts (rejects
 * with the abort reason).
 */
export async function pollUntil(what: string, probe: (timeoutMs: number) => Promise<boolean>, deadline: number, signal?: AbortSignal): Promise<void> {
  let last = 'no answer yet';
  for (;;) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`${what}: aborted`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HealthTimeoutError(`${what} not healthy in time: ${last}`);
    try {
      if (await probe(Math.min(1000, remaining))) return;
      last = 'not serving';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())), signal);
  }
}

/**
 * Waits until a gRPC server answers grpc.health.v1.Health/Check with SERVING.
 * `creds`: what the services use to call each other on that address (mutual TLS on TCP).
 */
export async function waitForGrpcHealth(address: string, deadline: number, signal?: AbortSignal, creds: ChannelCredentials = credentials.createInsecure()): Promise<void> {
  // Short reconnect backoff: the default (1s growing to 2min) would make us
  // notice a service seconds after it started listening.
  const client = new health.HealthClient(address, creds, {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
  });
  try {
    await pollUntil(`gRPC ${address}`, (timeoutMs) => new Promise<boolean>((resolve, reject) => {
      client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => {
        if (err) reject(err);
        else resolve(res.status === health.HealthCheckResponse_ServingStatus.SERVING);
      });
    }), deadline, signal);
  } finally {
    client.close();
  }
}

export type GatewayEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean };

/** One `GET /_ping`: true when the answer is 200 `OK`. */
export function pingGateway(endpoint: GatewayEndpoint, timeoutMs: number): Promise<boolean> {
  if (endpoint.kind === 'tcp' && endpoint.tls) {
    // A TLS listener may demand a client certificate we do not have, so an
    // accepted handshake start is as far as the launcher can check.
    return new Promise<boolean>((resolve, reject) => {
      const socket = net.connect({ host: endpoint.host, port: endpoint.port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', reject);
    });
  }
  return new Promise<boolean>((resolve, reject) => {
    const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
    const req = http.request({ ...target, method: 'GET', path: '/_ping', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(res.statusCode === 200 && body === 'OK'));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export function waitForGatewayPing(endpoint: GatewayEndpoint, deadline: number, signal?: AbortSignal): Promise<void> {
  const where = endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
  return pollUntil(`gateway ${where}`, (timeoutMs) => pingGateway(endpoint, timeoutMs), deadline, signal);
}
