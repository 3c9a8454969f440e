import { isServiceError, RpcError } from '@berth/rpc';
import { RuntimeCreateError } from './container-runtime';
import { startFailure, type StartFailure } from '../runtime/start-failure';

export type { StartFailure } from '../runtime/start-failure';

/** The container's user or group is not in its /etc/passwd or /etc/group (runc's wording, kept for the client). */
export class StartUserError extends Error {
  constructor(readonly runtimeMessage: string) {
    super(`unable to find user ${runtimeMessage.replace(/^unable to find (user|group) /, '')}`);
    this.name = 'StartUserError';
  }
}

/** dockerd's translateContainerdStartErr for `runc create` (one mapping, in runtime/start-failure.ts). */
export function runtimeStartFailure(message: string): StartFailure {
  return startFailure(message, 'create');
}

/** What a client learns of a start that failed at any step. */
export function startFailureOf(err: unknown): StartFailure {
  if (err instanceof StartUserError) return runtimeStartFailure(`unable to start container process: ${err.runtimeMessage}`);
  if (err instanceof RpcError) return { exitCode: 128, error: err };
  // another service's refusal (network-service: a port already allocated) keeps its status and its words, without gRPC's "13 INTERNAL: "
  if (isServiceError(err)) return { exitCode: 128, error: new RpcError(err.code, err.details) };
  if (err instanceof RuntimeCreateError) return runtimeStartFailure(err.message);
  return { exitCode: 128, error: RpcError.internal(err instanceof Error ? err.message : String(err)) };
}
