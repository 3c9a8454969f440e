export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/**
 * A container as container-service stores it: the JSON of its record, and
 * the contract with the gateway, which renders inspect and list views from
 * it. `C` is the Config shape the reader needs.
 */
export interface ContainerRecord<C = Record<string, unknown>> {
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
  Config: C;
  HostConfig: Record<string, unknown>;
  NetworkingConfig: Record<string, unknown>;
  Platform: string;
  State: { Status: ContainerStatus };
}
