/** One HostConfig.PortBindings entry ("80/tcp" → {HostIp, HostPort}). */
export interface PortBindingRequest {
  containerPort: string;
  hostIp: string;
  hostPort: string;
}

export interface PublishRequest {
  containerId: string;
  /** The container's address on the network the ports are published on (its first bridge network). */
  containerIp: string;
  /** That network's bridge interface. */
  bridge: string;
  bindings: PortBindingRequest[];
  /** -P: every exposed port on a free ephemeral port. */
  publishAll: boolean;
  /** Config.ExposedPorts keys. */
  exposed: string[];
  /** For dockerd's error wording ("…on endpoint <name> (<id>)…"): the endpoint's name (the container's name) and ID; the container ID stands in when absent. */
  endpointName?: string;
  endpointId?: string;
  /** The network's com.docker.network.bridge.host_binding_ipv4: the address -P publishes on (default all). */
  hostBindingIpv4?: string;
}

/** NetworkSettings.Ports: exposed but unpublished ports map to null. */
export type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/**
 * Publishes a container's ports on the host (DNAT for traffic from outside and
 * from the host, a listening socket that holds the port) and takes them back.
 * network-service calls it after the container's endpoint is wired.
 */
export interface PortPublisher {
  /**
   * Allocates and wires every binding, or none: a port already allocated
   * fails with dockerd's "Bind for 0.0.0.0:N failed: port is already
   * allocated" (RpcError) and leaves nothing behind.
   */
  publish(req: PublishRequest): Promise<PortMap>;
  /** Undoes publish; nothing published is fine. */
  unpublish(containerId: string): Promise<void>;
  /** At network-service start: re-holds the ports of `live` containers, removes every other rule and record a crash left. */
  reconcile(live: Set<string>): Promise<void>;
  close(): Promise<void>;
}
