import type { ContainerConfig } from './config-merge';

/**
 * A container as stored: the JSON in the record column, and the contract
 * with the gateway, which renders inspect and list views from it.
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
  HostConfig: Record<string, unknown>;
  NetworkingConfig: Record<string, unknown>;
  Platform: string;
  State: { Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' };
}
