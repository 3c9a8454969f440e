/**
 * Container logs: conmon's k8s-file log read as Docker log output.
 * `ContainerLogs.open` serves `GET /containers/{id}/logs`; `ContainerLogs.read`
 * replays a resolved container's log (attach with `logs=1`).
 */
export { ContainerLogs } from './container-logs';
export type { LogsQuery } from './container-logs';
export { readK8sLog } from './log-reader';
export type { LogReadOptions, LogFollower } from './log-reader';
export { LogEncoder, STDOUT, STDERR } from './log-encoder';
export type { LogStream } from './log-encoder';
export type { LogFilter } from './k8s-decoder';
