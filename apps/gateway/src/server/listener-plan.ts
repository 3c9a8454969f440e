import { GatewayConfig, isLoopbackHost, parseHostPort } from '@berth/config';

/** The unix socket as it is to be opened. */
export interface UnixListenerPlan {
  path: string;
  mode: number;
  group: string;
}

/** The TCP listener as it is to be opened; `tls` absent means plain HTTP (only behind the insecure switch). */
export interface TcpListenerPlan {
  host: string;
  port: number;
  tls?: { cert: string; key: string; ca?: string };
}

export interface ListenerPlan {
  unix?: UnixListenerPlan;
  tcp?: TcpListenerPlan;
  /** Said at every start: what is exposed and to whom. */
  warnings: string[];
}

/**
 * Which listeners the configuration asks for, refusing those that would make
 * every user who reaches them root (dockerd's model: the unix socket by
 * default; TCP with TLS and client certificates; anything weaker only by an
 * explicit switch, and said loudly at every start).
 */
export function planListeners(config: GatewayConfig): ListenerPlan {
  const warnings: string[] = [];
  const plan: ListenerPlan = { warnings };
  if (config.socketPath) plan.unix = { path: config.socketPath, mode: config.socketMode, group: config.socketGroup };
  if (!config.tcpAddress) return plan;

  const { host, port } = parseHostPort(config.tcpAddress);
  const where = config.tcpAddress;
  const loopback = isLoopbackHost(host);
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    throw new Error(`refusing to listen on ${where}: BERTH_TLS_CERT and BERTH_TLS_KEY go together (only one is set)`);
  }
  if (config.tlsCa && !config.tlsCert) {
    throw new Error(`refusing to listen on ${where}: BERTH_TLS_CA is set but BERTH_TLS_CERT and BERTH_TLS_KEY are not`);
  }

  if (!config.tlsCert || !config.tlsKey) {
    if (!config.insecureTcp) {
      throw new Error(
        `refusing to serve plain TCP on ${where}: whoever can connect to it is root on this host. `
        + 'Serve TLS with client certificates (BERTH_TLS_CERT, BERTH_TLS_KEY and BERTH_TLS_CA), '
        + 'or set BERTH_TCP_INSECURE=1 to serve plain TCP anyway',
      );
    }
    warnings.push(loopback
      ? `serving the Engine API on plain TCP ${where} (BERTH_TCP_INSECURE=1): every local user and every container on the host network is root on this host`
      : `serving the Engine API on plain TCP ${where} (BERTH_TCP_INSECURE=1): anyone who can reach this address over the network is root on this host`);
    plan.tcp = { host, port };
    return plan;
  }

  if (!config.tlsCa) {
    if (!loopback && !config.tlsAnyClient) {
      throw new Error(
        `refusing to serve TLS on ${where} without verifying clients: anyone who can reach it would be root on this host. `
        + 'Set BERTH_TLS_CA to require client certificates signed by that CA, or BERTH_TLS_ANY_CLIENT=1 to serve any client anyway',
      );
    }
    warnings.push(loopback
      ? `serving TLS on ${where} without client certificates (no BERTH_TLS_CA): every local user is root on this host`
      : `serving TLS on ${where} without client certificates (BERTH_TLS_ANY_CLIENT=1): anyone who can reach this address is root on this host`);
  }
  plan.tcp = { host, port, tls: { cert: config.tlsCert, key: config.tlsKey, ca: config.tlsCa } };
  return plan;
}
