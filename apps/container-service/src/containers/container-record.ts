import type { HostConfig, NetworkingConfig, NetworkSettings } from '@berth/engine-api';
import type { ContainerMount } from '../lifecycle/volume-links';
import type { ContainerConfig } from './config-merge';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface ContainerHealth {
  /** starting, healthy or unhealthy. */
  Status: string;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** Docker's ContainerState, as inspect shows it; absent fields read as their zero value. */
export interface ContainerState {
  Status: ContainerStatus;
  Pid?: number;
  ExitCode?: number;
  Error?: string;
  OOMKilled?: boolean;
  /** RFC 3339 with nanoseconds; absent until the first start. */
  StartedAt?: string;
  FinishedAt?: string;
  Health?: ContainerHealth;
}

/** One entry of inspect's Mounts (Docker's MountPoint). */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/**
 * A container as container-service stores it: the JSON of its record. It
 * stays inside this service; what clients see crosses as the declared
 * messages of grpc/container-message.ts.
 */
export interface ContainerRecord {
  Id: string;
  /** Without the leading "/". */
  Name: string;
  /** RFC 3339 with nanoseconds, UTC. */
  Created: string;
  Path: string;
  Args: string[];
  /** The image as the user typed it. */
  ImageName: string;
  /** "sha256:<hex>". */
  Image: string;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkingConfig: NetworkingConfig;
  Platform: string;
  State: ContainerState;
  RestartCount?: number;
  /** The image's layer directories, topmost first: the overlay's lower dirs. */
  LayerPaths?: string[];
  Mounts?: MountPoint[];
  /** Docker's NetworkSettings as network-service reported it at the last start. */
  NetworkSettings?: NetworkSettings;
  LogPath?: string;
  ResolvConfPath?: string;
  HostnamePath?: string;
  HostsPath?: string;
  /** The overlay directories (inspect's GraphDriver.Data). */
  GraphDriver?: { LowerDir: string; UpperDir: string; WorkDir: string; MergedDir: string };
  ExecIDs?: string[];
  /** Mounts as planned at create, volume names settled (bookkeeping: never shown). */
  MountPlan?: ContainerMount[];
  /** The network namespace of the running container (bookkeeping: `--network container:X` joins X's). */
  NetnsPath?: string;
  /** The legacy links' variables given at the last start (bookkeeping: execs get them too, as in dockerd). */
  LinkEnv?: string[];
  /** Set by stop and by kill (dockerd's HasBeenManuallyStopped): unless-stopped stays down. */
  ManuallyStopped?: boolean;
}
