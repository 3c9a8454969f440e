import { RpcError } from '@berth/rpc';
import { RuntimeCreateError } from './container-runtime';

/** The container's user or group is not in its /etc/passwd or /etc/group (runc's wording, kept for the client). */
export class StartUserError extends Error {
  constructor(readonly runtimeMessage: string) {
    super(`unable to find user ${runtimeMessage.replace(/^unable to find (user|group) /, '')}`);
    this.name = 'StartUserError';
  }
}

export interface StartFailure {
  /** State.ExitCode after the failed start (dockerd: 127 not found, 126 not executable, 128 otherwise). */
  exitCode: number;
  error: RpcError;
}

/** dockerd's translateContainerdStartErr: exit code and HTTP status from the runtime's message. */
export function runtimeStartFailure(message: string): StartFailure {
  const runtimeMessage = message.startsWith('runc create failed') ? message : `runc create failed: ${message}`;
  const desc = `failed to create task for container: failed to create shim task: OCI runtime create failed: ${runtimeMessage}: unknown`;
  if (/executable file not found|no such file or directory/.test(message)) return { exitCode: 127, error: RpcError.invalidArgument(desc) };
  if (/permission denied/.test(message)) return { exitCode: 126, error: RpcError.invalidArgument(desc) };
  if (/not a directory/.test(message)) {
    return { exitCode: 128, error: RpcError.invalidArgument(`${desc}: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`) };
  }
  return { exitCode: 128, error: RpcError.internal(desc) };
}

/** What a client learns of a start that failed at any step. */
export function startFailureOf(err: unknown): StartFailure {
  if (err instanceof StartUserError) return runtimeStartFailure(`unable to start container process: ${err.runtimeMessage}`);
  if (err instanceof RpcError) return { exitCode: 128, error: err };
  if (err instanceof RuntimeCreateError) return runtimeStartFailure(err.message);
  return { exitCode: 128, error: RpcError.internal(err instanceof Error ? err.message : String(err)) };
}
