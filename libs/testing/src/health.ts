import { ChannelCredentials, Metadata, credentials } from '@grpc/grpc-js';
import { health } from '@berth/proto';
import { unixRequest } from './http';

async function poll(what: string, probe: () => Promise<boolean>, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      if (await probe()) return;
      last = 'not serving';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what} not healthy after ${timeoutMs}ms: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for grpc.health.v1 SERVING at `address` (`unix:/path` or `host:port`). */
export async function waitForGrpcHealth(address: string, timeoutMs: number, abort?: () => string | undefined, creds: ChannelCredentials = credentials.createInsecure()): Promise<void> {
  const client = new health.HealthClient(address, creds, {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 500,
  });
  try {
    await poll(`gRPC ${address}`, () => new Promise<boolean>((resolve, reject) => {
      client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + 1000) }, (err, res) => {
        if (err) reject(err);
        else resolve(res.status === health.HealthCheckResponse_ServingStatus.SERVING);
      });
    }), timeoutMs, abort);
  } finally {
    client.close();
  }
}

/** Waits until `GET /_ping` on the gateway's unix socket answers 200 OK. */
export function waitForPing(socketPath: string, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  return poll(`gateway unix://${socketPath}`, async () => {
    const res = await unixRequest(socketPath, 'GET', '/_ping', undefined, {}, 1000);
    return res.status === 200 && res.body === 'OK';
  }, timeoutMs, abort);
}
