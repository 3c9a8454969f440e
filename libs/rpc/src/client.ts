import { ChannelCredentials, Client, ClientUnaryCall, Metadata, CallOptions, ServiceError, status } from '@grpc/grpc-js';
import { GrpcTlsConfig, loadGrpcTls } from '@berth/config';
import { channelCredentialsFor } from './transport';

type UnaryFn<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => ClientUnaryCall;

/** The unary methods of a generated grpc-js client, as promise-returning functions. */
export type PromiseClient<C> = {
  [K in keyof C as C[K] extends UnaryFn<any, any> ? K : never]:
    C[K] extends UnaryFn<infer Req, infer Res> ? (request: Req, options?: { timeoutMs?: number }) => Promise<Res> : never;
};

type ClientCtor<C> = new (address: string, credentials: ChannelCredentials, options?: Record<string, unknown>) => C;

const DEFAULT_TIMEOUT_MS = 60_000;
const RECONNECT_GRACE_MS = 2_000;

/**
 * Creates one long-lived channel to a service; callers reuse it for every
 * request. On TCP it shows this process's certificate and checks the
 * service's (`tls`, from the BERTH_GRPC_* variables by default: every
 * client in a service process uses that process's one identity).
 */
export function createClient<C extends Client>(Ctor: ClientCtor<C>, address: string, tls: GrpcTlsConfig = loadGrpcTls()): { raw: C; call: PromiseClient<C> } {
  const raw = new Ctor(address, channelCredentialsFor(address, tls), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
    // A restarted service is reachable again within a second, not after minutes of backoff.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
    // Every container costs several calls between the services: channelz's
    // bookkeeping and the retry layer are a third of a small call's CPU. Nothing
    // reads channelz, and the wrapper below retries a call that found the
    // service restarting, which is what the retry layer was for here.
    'grpc.enable_channelz': 0,
    'grpc.enable_retries': 0,
  });
  // Wrappers are made once per method, not on every call: this is every request's path.
  const wrappers = new Map<string, unknown>();
  const call = new Proxy({}, {
    get(_target, prop: string) {
      const cached = wrappers.get(prop);
      if (cached) return cached;
      const method: unknown = Reflect.get(raw, prop);
      if (typeof method !== 'function') return undefined;
      const once = (request: unknown, opts: Partial<CallOptions>, waitForReady = false) => new Promise((resolve, reject) => {
        (method as UnaryFn<unknown, unknown>).call(raw, request, new Metadata({ waitForReady }), opts, (err, res) => (err ? reject(err) : resolve(res)));
      });
      const wrapper = async (request: unknown, options?: { timeoutMs?: number }) => {
        const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        try {
          return await once(request, { deadline: new Date(Date.now() + timeoutMs) });
        } catch (err) {
          // The channel may still be backing off from a restart of the service:
          // give it a short while to reconnect before reporting it unavailable.
          if ((err as ServiceError).code !== status.UNAVAILABLE) throw err;
          try {
            return await once(request, { deadline: new Date(Date.now() + Math.min(timeoutMs, RECONNECT_GRACE_MS)) }, true);
          } catch (retryErr) {
            const code = (retryErr as ServiceError).code;
            if (code !== status.UNAVAILABLE && code !== status.DEADLINE_EXCEEDED) throw retryErr;
            const cause = /connect (E[A-Z]+)/.exec((err as ServiceError).details ?? '')?.[1];
            const details = `cannot reach ${address}${cause ? ` (${cause})` : ''}`;
            throw Object.assign(new Error(details), { code: status.UNAVAILABLE, details, metadata: new Metadata() });
          }
        }
      };
      wrappers.set(prop, wrapper);
      return wrapper;
    },
  }) as PromiseClient<C>;
  return { raw, call };
}

/** Resolves once the service answers its health check, or rejects after timeoutMs. */
export async function waitForReady(client: Client, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => client.waitForReady(new Date(Date.now() + timeoutMs), (err) => (err ? reject(err) : resolve())));
}
