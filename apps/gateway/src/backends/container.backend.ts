import type { Readable } from 'node:stream';
import type { ContainerConfig, HostConfig, NetworkingConfig } from '@berth/engine-api';
import type { common, container, containerFiles, containerLogs, containerStats } from '@berth/proto';
import type { DuplexSession, MessageStream, PendingCall } from './streams';

/** What `POST /containers/create` asks for, the body already split as dockerd splits it. */
export interface ContainerCreateRequest {
  name: string;
  /** The body's Config fields (Image among them). */
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig: NetworkingConfig;
  image: string;
  platform: string;
}

/** Container records and their lifecycle (routes/containers.controller.ts). */
export interface ContainerBackend {
  list(request: container.ListContainersRequest): Promise<container.ListContainersResponse>;
  create(request: ContainerCreateRequest): Promise<container.CreateContainerResponse>;
  inspect(request: container.ContainerRef): Promise<container.Container>;
  rename(request: container.RenameContainerRequest): Promise<void>;
  remove(request: container.RemoveContainerRequest): Promise<void>;
  prune(request: container.PruneContainersRequest): Promise<container.PruneContainersResponse>;
  start(request: container.StartContainerRequest): Promise<container.StateChange>;
  stop(request: container.StopContainerRequest): Promise<container.StateChange>;
  restart(request: container.StopContainerRequest): Promise<void>;
  kill(request: container.KillContainerRequest): Promise<void>;
  pause(request: container.ContainerRef): Promise<void>;
  unpause(request: container.ContainerRef): Promise<void>;
  wait(request: container.WaitContainerRequest): PendingCall<container.WaitContainerResponse>;
  resize(request: container.ResizeRequest): Promise<void>;
  update(request: container.UpdateContainerRequest): Promise<container.UpdateContainerResponse>;
}

/** The attach stream: the first message opens it, the answer says `ready` before any output. */
export interface ContainerAttachBackend {
  attach(): DuplexSession<container.AttachInput, container.AttachOutput>;
}

/** Watching a container: logs, stats, top (routes/container-logs, container-stats). */
export interface ContainerMonitorBackend {
  inspect(request: container.ContainerRef): Promise<container.Container>;
  logs(request: containerLogs.LogsRequest): MessageStream<containerLogs.LogChunk>;
  stats(request: containerStats.StatsRequest): MessageStream<containerStats.StatsSample>;
  top(request: containerStats.TopRequest): Promise<containerStats.TopResponse>;
}

/** Files in and out of a container: docker cp, export, diff (routes/container-files). */
export interface ContainerCopyBackend {
  statPath(request: containerFiles.PathRequest): Promise<containerFiles.PathStat>;
  getArchive(request: containerFiles.PathRequest): MessageStream<containerFiles.ArchiveChunk>;
  /** Sends `body` (a tar) to be extracted at the options' path; resolves when it is. */
  putArchive(options: containerFiles.PutArchiveOptions, body: Readable): Promise<void>;
  export(request: containerFiles.ContainerId): MessageStream<common.DataChunk>;
  changes(request: containerFiles.ContainerId): Promise<containerFiles.ChangesResponse>;
}
