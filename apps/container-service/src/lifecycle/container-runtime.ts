/** What a start asks of the runtime beyond the bundle (conmon's stdio choices). */
export interface RuntimeCreateOptions {
  id: string;
  /** The OCI bundle directory holding config.json. */
  bundle: string;
  terminal: boolean;
  /** Keep a pipe to the container's stdin (`docker run -i`). */
  stdin: boolean;
  /** Keep stdin open when an attached client goes away. */
  leaveStdinOpen: boolean;
}

/**
 * The runtime refused to create the container; `message` is its own words
 * ("exec: \"nosuch\": executable file not found in $PATH"), which decide the
 * exit code and the status the client sees (start-failure.ts).
 */
export class RuntimeCreateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeCreateError';
  }
}

/**
 * A container's process as the lifecycle drives it (runc under conmon in
 * Berth; a fake in unit tests). Ids are container ids; signals are numbers.
 */
export interface ContainerRuntime {
  /** Creates the container, its process waiting to be started; the init pid. Throws RuntimeCreateError when the runtime refuses. */
  create(o: RuntimeCreateOptions): Promise<{ pid: number }>;
  /** Lets a created container's process run. */
  start(id: string, pid: number): Promise<void>;
  /** `all`: every process of the container (used when its init would not die). */
  kill(id: string, signal: number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** New cgroup limits for a running container (the OCI `linux.resources` object). */
  update(id: string, resources: object): Promise<void>;
  /** Forgets a container whose process is gone: the runtime's state and pid files. */
  delete(id: string): Promise<void>;
  /** Resizes a running container's terminal. */
  resize(id: string, height: number, width: number): void;
  /** Resolves with the exit code once the process has exited. */
  waitForExit(id: string): Promise<number>;
  /** The recorded exit code; undefined while the process has not exited. */
  exitCode(id: string): Promise<number | undefined>;
  /** Drops the recorded exit code (it has been handled). */
  clearExit(id: string): void;
  /** Whether the process's monitor (conmon) still runs: a container that can be watched again after a restart of this service. */
  monitorAlive(id: string): Promise<boolean>;
  /** Whether the kernel's OOM killer struck in the container's cgroup. */
  oomKilled(id: string): boolean;
}
