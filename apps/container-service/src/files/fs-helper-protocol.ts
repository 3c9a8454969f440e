import type { PathStatJson } from './path-stat';
import type { ViewMount, VolumePoint } from './mount-view';

/** What container-service asks the fs helper (passed as one JSON argument). */
export type HelperRequest =
  | { op: 'stat'; rootfs: string; mounts: ViewMount[]; path: string }
  | { op: 'archive'; rootfs: string; mounts: ViewMount[]; path: string }
  /** docker export: the root file system alone, as a tar on stdout. */
  | { op: 'export'; rootfs: string }
  | {
    op: 'extract';
    rootfs: string;
    mounts: ViewMount[];
    path: string;
    noOverwriteDirNonDir: boolean;
    /** Config.User, when the files are to be owned by the container's user (copyUIDGID). */
    user?: string;
    readonlyRootfs: boolean;
    volumes: VolumePoint[];
  };

/** How a failure maps to dockerd's answer: 404 file not found, 400, or 500 with the message. */
export type HelperErrorKind = 'notFound' | 'invalid' | 'internal';

/**
 * Lines of JSON the helper writes on fd 3. `stat` comes first for stat and
 * archive (the tar follows on stdout); `done` or `error` comes last.
 */
export type HelperMessage =
  | { type: 'stat'; stat: PathStatJson }
  | { type: 'warning'; message: string }
  | { type: 'error'; kind: HelperErrorKind; message: string }
  | { type: 'done' };

export const CONTROL_FD = 3;
