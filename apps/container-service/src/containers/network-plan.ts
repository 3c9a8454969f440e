import { emptyNetworkSettings } from '@berth/engine-api';
import { RpcError } from '@berth/rpc';
import { status } from '@grpc/grpc-js';
import { parseLink } from './links';
import { portBindingsError } from './port-specs';

/**
 * A container's networks as create settles them (dockerd's
 * verifyNetworkingConfig, validateNetContainerMode and registerLinks): the
 * NetworkMode and every EndpointsConfig network resolved through
 * network-service (an ambiguous prefix is refused, an unknown name waits for
 * the start), dockerd's refusals, and the endpoint settings inspect shows of
 * a created container.
 */

/** What create needs to know of a network. */
export interface NetworkInfo {
  id: string;
  name: string;
}

/** network-service's InspectNetwork: NOT_FOUND "network X not found". */
export interface NetworkResolver {
  inspect(ref: string): Promise<NetworkInfo>;
}

/** One network's EndpointSettings as stored and as inspect shows it (dockerd's field order). */
export type StoredEndpoint = Record<string, unknown>;

const PREDEFINED = ['bridge', 'host', 'none'];

/** The part of the request the plan reads. */
export interface NetworkPlanInput {
  config: Record<string, unknown>;
  hostConfig: Record<string, unknown>;
  endpointsConfig: Record<string, Record<string, unknown> | null> | null | undefined;
}

export interface NetworkPlan {
  /** NetworkingConfig.EndpointsConfig keyed by network name, the NetworkMode's network first. */
  endpoints: Record<string, StoredEndpoint>;
  /** NetworkSettings of the created container. */
  settings: Record<string, unknown>;
  warnings: string[];
}

function invalid(message: string): RpcError {
  return RpcError.invalidArgument(message);
}

const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === 'object' && v !== null ? Object.keys(v).length > 0 : typeof v === 'string' ? v !== '' : v === true);

/** EndpointSettings of a created (not yet started) endpoint: the request's settings, the network's id, no addresses. */
export function createdEndpoint(request: Record<string, unknown> | null | undefined, networkId: string): StoredEndpoint {
  const r = request ?? {};
  return {
    IPAMConfig: r.IPAMConfig ?? null,
    Links: nonEmpty(r.Links) ? r.Links : null,
    Aliases: nonEmpty(r.Aliases) ? r.Aliases : null,
    MacAddress: (r.MacAddress as string | undefined) ?? '',
    DriverOpts: nonEmpty(r.DriverOpts) ? r.DriverOpts : null,
    GwPriority: (r.GwPriority as number | undefined) ?? 0,
    NetworkID: networkId,
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** NetworkSettings of a container that has not started (or has stopped): its networks, no addresses. */
export function createdSettings(endpoints: Record<string, StoredEndpoint>): Record<string, unknown> {
  return { ...emptyNetworkSettings(), Networks: Object.fromEntries(Object.entries(endpoints).map(([k, v]) => [k, { ...v }])) };
}

/** `container:<name|id>` → the name or id; undefined for other modes. */
export function containerModeTarget(mode: unknown): string | undefined {
  return typeof mode === 'string' && mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

function ipOf(ep: Record<string, unknown> | null | undefined): string {
  const ipam = (ep?.IPAMConfig ?? {}) as { IPv4Address?: string; IPv6Address?: string };
  return ipam.IPv4Address || ipam.IPv6Address || '';
}

/** dockerd's validateNetContainerMode: what a container sharing another's namespace cannot have. */
function containerModeConflict(config: Record<string, unknown>, hc: Record<string, unknown>, endpoints: NetworkPlanInput['endpointsConfig']): string | undefined {
  const target = containerModeTarget(hc.NetworkMode);
  if (target === undefined) return undefined;
  if (target === '') return 'Invalid network mode: invalid container format container:<name|id>';
  if (nonEmpty(config.Hostname)) return 'conflicting options: hostname and the network mode';
  if (nonEmpty(hc.Links)) return "conflicting options: container type network can't be used with links. This would result in undefined behavior";
  if (nonEmpty(hc.Dns)) return 'conflicting options: dns and the network mode';
  if (nonEmpty(hc.ExtraHosts)) return 'conflicting options: custom host-to-IP mapping and the network mode';
  const mac = nonEmpty(config.MacAddress) || Object.values(endpoints ?? {}).some((e) => nonEmpty(e?.MacAddress));
  if (mac) return 'conflicting options: mac-address and the network mode';
  if (nonEmpty(hc.PortBindings) || hc.PublishAllPorts === true) return 'conflicting options: port publishing and the container type network mode';
  if (nonEmpty(config.ExposedPorts)) return 'conflicting options: port exposing and the container type network mode';
  return undefined;
}

/**
 * A network as the container names it. dockerd does not refuse an unknown
 * network at create (the CLI would take a 404 there for a missing image and
 * try to pull): the endpoint keeps the name as given, with no id, and the
 * start fails with "network X not found".
 */
async function resolveNetwork(resolver: NetworkResolver, ref: string): Promise<NetworkInfo> {
  try {
    return await resolver.inspect(ref);
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === status.NOT_FOUND || (PREDEFINED.includes(ref) && code === status.UNIMPLEMENTED)) return { id: '', name: ref };
    throw err;
  }
}

/**
 * Settles the networks of a container being created. `config` is the
 * request's Config before the image's is merged in (dockerd checks what the
 * user asked for); the host config's NetworkMode is already defaulted.
 */
export async function planNetworks(input: NetworkPlanInput, resolver: NetworkResolver): Promise<NetworkPlan> {
  const { config, hostConfig: hc } = input;
  const mode = String(hc.NetworkMode || 'bridge');
  // the CLI keys the default network's settings by the mode it sent: "default" is the bridge
  const requested = Object.fromEntries(Object.entries(input.endpointsConfig ?? {}).map(([k, v]) => [k === 'default' || k === '' ? 'bridge' : k, v]));
  const warnings: string[] = [];
  const bindingError = portBindingsError(hc.PortBindings as never);
  if (bindingError) throw invalid(bindingError);
  for (const l of (hc.Links as string[] | null | undefined) ?? []) {
    try {
      parseLink(l);
    } catch (err) {
      throw invalid((err as Error).message);
    }
  }
  const conflict = containerModeConflict(config, hc, requested);
  if (conflict) throw invalid(conflict);
  if (containerModeTarget(mode) !== undefined) return { endpoints: {}, settings: createdSettings({}), warnings };

  if (mode === 'host' || mode === 'none') {
    if (nonEmpty(hc.Links)) {
      if (mode === 'host') throw invalid("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    }
    const mac = nonEmpty(config.MacAddress) || Object.values(requested).some((e) => nonEmpty(e?.MacAddress));
    if (mode === 'host' && mac) throw invalid('conflicting options: mac-address and the network mode');
    if (Object.keys(requested).some((k) => k !== mode)) {
      throw invalid(
        mode === 'none'
          ? 'container cannot be connected to multiple networks with one of the networks in private (none) mode'
          : 'container sharing network namespace with another container or host cannot be connected to any other network',
      );
    }
    if (mode === 'host' && (nonEmpty(hc.PortBindings) || hc.PublishAllPorts === true)) {
      // dockerd keeps them in the record but publishes nothing: the host's own ports are the container's
      warnings.push('Published ports are discarded when using host network mode');
    }
    const net = await resolveNetwork(resolver, mode);
    const endpoints = { [mode]: createdEndpoint(requested[mode], net.id) };
    return { endpoints, settings: createdSettings(endpoints), warnings };
  }

  const primary = await resolveNetwork(resolver, mode);
  const resolved: { net: NetworkInfo; request: Record<string, unknown> | null }[] = [];
  for (const [ref, request] of Object.entries(requested)) {
    const net = ref === mode ? primary : await resolveNetwork(resolver, ref);
    if (net.name === 'none' || net.name === 'host') {
      throw invalid(
        net.name === 'none'
          ? 'container cannot be connected to multiple networks with one of the networks in private (none) mode'
          : 'container sharing network namespace with another container or host cannot be connected to any other network',
      );
    }
    resolved.push({ net, request: request ?? null });
  }
  if (!resolved.some((r) => r.net.name === primary.name)) resolved.unshift({ net: primary, request: null });
  // the NetworkMode's network first: network-service makes it the container's eth0
  resolved.sort((a, b) => (a.net.name === primary.name ? -1 : b.net.name === primary.name ? 1 : 0));

  const endpoints: Record<string, StoredEndpoint> = {};
  for (const { net, request } of resolved) {
    const req: Record<string, unknown> = { ...(request ?? {}) };
    if (net.name === 'bridge') {
      if (nonEmpty(req.Aliases)) throw invalid('network-scoped alias is supported only for containers in user defined networks');
      if (ipOf(req) !== '') throw invalid('user specified IP address is supported on user defined networks only');
    } else if (net.name === primary.name && nonEmpty(hc.Links)) {
      // On a user network a link is a DNS alias of the linked container (the embedded DNS answers it).
      const links = new Set([...((req.Links as string[] | null | undefined) ?? []), ...(hc.Links as string[])]);
      req.Links = [...links];
    }
    if (net.name === primary.name && nonEmpty(config.MacAddress) && !nonEmpty(req.MacAddress)) req.MacAddress = config.MacAddress;
    endpoints[net.name] = createdEndpoint(req, net.id);
  }
  return { endpoints, settings: createdSettings(endpoints), warnings };
}
