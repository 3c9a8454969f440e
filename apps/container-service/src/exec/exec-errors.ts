import { RpcError } from '@berth/rpc';

export function noSuchExec(id: string): RpcError {
  return RpcError.notFound(`No such exec instance: ${id}`);
}

/** dockerd's translateContainerdStartErr: runc's reason decides the exit code and the status. */
export function startFailure(message: string): { exitCode: number; error: RpcError } {
  const full = `OCI runtime exec failed: ${message}: unknown`;
  const lower = message.toLowerCase();
  if (lower.includes('permission denied')) return { exitCode: 126, error: RpcError.invalidArgument(full) };
  if (lower.includes('executable file not found') || lower.includes('no such file or directory') || lower.includes('not a directory')) {
    return { exitCode: 127, error: RpcError.invalidArgument(full) };
  }
  return { exitCode: 126, error: RpcError.internal(full) };
}
