import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The data root and run root as dockerd keeps its own: 0711, so the docker
 * group can reach the socket by its path while nobody else can list or
 * write anything, and the pid directory the launcher's alone to write.
 * Made with their mode from the first moment (no 0755 window before a
 * chmod); an existing one, or one the umask narrowed, is set to it too.
 */
export function prepareRoots(dataRoot: string, runRoot: string): void {
  for (const [dir, mode] of [[dataRoot, 0o711], [runRoot, 0o711], [path.join(runRoot, 'pids'), 0o755]] as const) {
    fs.mkdirSync(dir, { recursive: true, mode });
    fs.chmodSync(dir, mode);
  }
}
