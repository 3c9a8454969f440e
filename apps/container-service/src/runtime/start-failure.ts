import { RpcError } from '@berth/rpc';

/** Which runc call failed: `runc create` for a container start, `runc exec` for an exec. */
export type StartPhase = 'create' | 'exec';

export interface StartFailure {
  /** What the container's (or exec's) ExitCode becomes. */
  exitCode: number;
  error: RpcError;
}

const MOUNT_HINT = 'Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type';

/** How dockerd words the failure of each phase and the exit code it keeps when the reason says nothing more. */
const PHASES: Record<StartPhase, { describe(message: string): string; fallbackExitCode: number; notDirectory: 'mount' | 'not-found' }> = {
  create: {
    describe: (message) => {
      const runtimeMessage = message.startsWith('runc create failed') ? message : `runc create failed: ${message}`;
      return `failed to create task for container: failed to create shim task: OCI runtime create failed: ${runtimeMessage}: unknown`;
    },
    fallbackExitCode: 128,
    // At create time ENOTDIR comes from the container's mounts: dockerd adds a hint.
    notDirectory: 'mount',
  },
  exec: {
    describe: (message) => `OCI runtime exec failed: ${message}: unknown`,
    fallbackExitCode: 126,
    // At exec time it comes from a command path through a file (`/etc/passwd/x`).
    notDirectory: 'not-found',
  },
};

/**
 * dockerd's translateContainerdStartErr: runc's reason decides the exit code
 * (127 the command is missing, 126 it cannot be run, 128 otherwise at start)
 * and whether the client is at fault (invalid argument) or the daemon (internal).
 */
export function startFailure(message: string, phase: StartPhase): StartFailure {
  const p = PHASES[phase];
  const desc = p.describe(message);
  const lower = message.toLowerCase();
  // dockerd tests not-found, then permission, then not-a-directory, a later match overriding an earlier one.
  if (lower.includes('not a directory')) {
    if (p.notDirectory === 'mount') return { exitCode: 128, error: RpcError.invalidArgument(`${desc}: ${MOUNT_HINT}`) };
    return { exitCode: 127, error: RpcError.invalidArgument(desc) };
  }
  if (lower.includes('permission denied')) return { exitCode: 126, error: RpcError.invalidArgument(desc) };
  if (lower.includes('executable file not found') || lower.includes('no such file or directory')) {
    return { exitCode: 127, error: RpcError.invalidArgument(desc) };
  }
  return { exitCode: p.fallbackExitCode, error: RpcError.internal(desc) };
}
