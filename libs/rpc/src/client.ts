import { ChannelCredentials, Client, ClientUnaryCall, Metadata, CallOptions, ServiceError } from '@grpc/grpc-js';

type UnaryFn<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => ClientUnaryCall;

/** The unary methods of a generated grpc-js client, as promise-returning functions. */
export type PromiseClient<C> = {
  [K in keyof C as C[K] extends UnaryFn<any, any> ? K : never]:
    C[K] extends UnaryFn<infer Req, infer Res> ? (request: Req, options?: { timeoutMs?: number }) => Promise<Res> : never;
};

type ClientCtor<C> = new (address: string, credentials: ChannelCredentials, options?: Record<string, unknown>) => C;

const DEFAULT_TIMEOUT_MS = 60_000;

/** Creates one long-lived channel to a service; callers reuse it for every request. */
export function createClient<C extends Client>(Ctor: ClientCtor<C>, address: string): { raw: C; call: PromiseClient<C> } {
  const raw = new Ctor(address, ChannelCredentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
  });
  const call = new Proxy({}, {
    get(_target, prop: string) {
      const method = (raw as unknown as Record<string, unknown>)[prop];
      if (typeof method !== 'function') return undefined;
      return (request: unknown, options?: { timeoutMs?: number }) => new Promise((resolve, reject) => {
        const deadline = new Date(Date.now() + (options?.timeoutMs ?? DEFAULT_TIMEOUT_MS));
        (method as UnaryFn<unknown, unknown>).call(raw, request, new Metadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
      });
    },
  }) as PromiseClient<C>;
  return { raw, call };
}

/** Resolves once the service answers its health check, or rejects after timeoutMs. */
export async function waitForReady(client: Client, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => client.waitForReady(new Date(Date.now() + timeoutMs), (err) => (err ? reject(err) : resolve())));
}
