import type { ConmonExec } from './conmon-exec';

/** The ExecConfig body of `POST /containers/{id}/exec`. */
export interface ExecCreateConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: [number, number] | null;
}

/** One exec as dockerd keeps it (daemon/container/exec.go ExecConfig), in memory only. */
export interface ExecRecord {
  id: string;
  containerId: string;
  entrypoint: string;
  args: string[];
  env: string[];
  workingDir: string;
  user: string;
  tty: boolean;
  privileged: boolean;
  openStdin: boolean;
  openStdout: boolean;
  openStderr: boolean;
  detachKeys: Buffer;
  consoleSize?: { height: number; width: number };
  running: boolean;
  /** Set once: the exec has run (or failed to start). */
  exitCode: number | null;
  pid: number;
  /** Started once; a second start is a conflict. */
  started: boolean;
  process?: ConmonExec;
  /** Settles when a start got the process running or failed (dockerd's ec.Started). */
  ready: Promise<void>;
  markReady: () => void;
}

export interface StartOptions {
  detach: boolean;
  /** [height, width] from the start request; the create request's when absent. */
  consoleSize?: { height: number; width: number };
  /** Output of an attached exec (1 stdout, 2 stderr), only the streams it asked for. */
  onOutput?: (stream: 1 | 2, data: Buffer) => void;
}

/** An attached exec in progress. */
export interface AttachedExec {
  /** Client stdin (ignored unless the exec has AttachStdin); false when the process's stdin is full: see onDrain. */
  write(data: Buffer): boolean;
  /** Runs `fn` once the process's stdin takes more. */
  onDrain(fn: () => void): void;
  /** The client's stdin ended: without a TTY the process's stdin closes; with one the session ends (dockerd's rule). */
  closeStdin(): void;
  /** The client went away: stop sending it output; the process runs on. */
  abandon(): void;
  /** Signals the exec's process (a health probe past its timeout). */
  kill(signal: NodeJS.Signals): void;
  /** Settles when the session is over: the process exited (its code) or the client detached (undefined). */
  done: Promise<number | undefined>;
}
