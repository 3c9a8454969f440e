import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerManager } from '../containers/container-manager';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerExits } from '../containers/container-exits';
import { logTimeFromUnix } from './k8s-timestamp';
import { LogFollower, readK8sLog } from './log-reader';

/** The options of `GET /containers/{id}/logs`, as the API gives them. */
export interface LogsQuery {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Unix seconds with a fraction; 0 or absent: unset. */
  since?: number;
  until?: number;
  timestamps: boolean;
  /** Lines from the end; negative: all; 0: none. */
  tail: number;
  details?: boolean;
}

/** A follow stops when the container leaves these states (dockerd closes its log then). */
function isRunning(record: ContainerRecord): boolean {
  return record.State.Status === 'running' || record.State.Status === 'paused';
}

/**
 * A container's log as Docker log output: what `docker logs` shows and what
 * attach with `logs=1` replays before the live output.
 */
export class ContainerLogs {
  constructor(private readonly containers: ContainerManager, private readonly paths: ContainerPaths, private readonly exits: ContainerExits) {}

  /**
   * Resolves `ref` (throwing dockerd's errors before any output) and returns the
   * record with the stream of chunks. Abort `signal` to stop a follow.
   */
  open(ref: string, query: LogsQuery, signal?: AbortSignal): { record: ContainerRecord; chunks: AsyncGenerator<Buffer, void, undefined> } {
    if (!query.stdout && !query.stderr) throw RpcError.invalidArgument('Bad parameters: you must choose at least one stream');
    const { record } = this.containers.resolve(ref);
    if (record.State.Status === 'removing' || record.State.Status === 'dead') {
      throw RpcError.conflict('can not get logs from container which is dead or marked for removal');
    }
    return { record, chunks: this.read(record, query, signal) };
  }

  /** The log of a container already resolved (the attach path): framed unless it has a TTY. */
  read(record: ContainerRecord, query: LogsQuery, signal?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
    const id = record.Id;
    const follower: LogFollower | undefined = query.follow
      ? {
        running: () => {
          try {
            return isRunning(this.containers.resolve(id).record);
          } catch {
            return false; // removed meanwhile
          }
        },
        exited: (s) => this.exits.next(id, s),
      }
      : undefined;
    return readK8sLog(this.paths.log(id), {
      stdout: query.stdout,
      stderr: query.stderr,
      since: query.since ? logTimeFromUnix(query.since) : undefined,
      until: query.until ? logTimeFromUnix(query.until, 'up') : undefined,
      timestamps: query.timestamps,
      details: query.details ?? false,
      tail: query.tail,
      multiplexed: !record.Config.Tty,
    }, follower, signal);
  }
}
