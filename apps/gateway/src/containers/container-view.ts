import { emptyNetworkSettings, type ContainerConfig, type HostConfig, type NetworkSettings } from '@berth/engine-api';
import type { container } from '@berth/proto';
import { statusText } from './status-text';
import type { ApiFeatures } from '../versions/features';

/**
 * Docker's container views, rendered from container-service's declared
 * messages. The large structures arrive as JSON of the Engine API types.
 */

const ZERO_TIME = '0001-01-01T00:00:00Z';

function orNull<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

function parseJson<T>(json: string, empty: T): T {
  return json === '' ? empty : (JSON.parse(json) as T);
}

/** ContainerConfig as stored: MacAddress left the API's ContainerConfig in 1.44 but older clients still set it. */
type StoredConfig = ContainerConfig & { MacAddress?: string };

/** ContainerConfig in dockerd's field order, with its omitempty fields left out when empty. */
function configView(c: StoredConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: c.AttachStdin ?? false,
    AttachStdout: c.AttachStdout ?? false,
    AttachStderr: c.AttachStderr ?? false,
  };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0) out.ExposedPorts = c.ExposedPorts;
  Object.assign(out, {
    Tty: c.Tty ?? false,
    OpenStdin: c.OpenStdin ?? false,
    StdinOnce: c.StdinOnce ?? false,
    Env: orNull(c.Env),
    Cmd: orNull(c.Cmd),
  });
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck;
  if (c.ArgsEscaped) out.ArgsEscaped = c.ArgsEscaped;
  Object.assign(out, {
    Image: c.Image ?? '',
    Volumes: orNull(c.Volumes),
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: orNull(c.Entrypoint),
  });
  if (c.NetworkDisabled) out.NetworkDisabled = c.NetworkDisabled;
  if (c.MacAddress) out.MacAddress = c.MacAddress;
  out.OnBuild = orNull(c.OnBuild);
  out.Labels = c.Labels ?? {};
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.StopTimeout !== undefined && c.StopTimeout !== null) out.StopTimeout = c.StopTimeout;
  if (Array.isArray(c.Shell) && c.Shell.length > 0) out.Shell = c.Shell;
  return out;
}

function stateView(s: container.ContainerState): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Status: s.status,
    Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
    Paused: s.status === 'paused',
    Restarting: s.status === 'restarting',
    OOMKilled: s.oomKilled,
    Dead: s.status === 'dead',
    Pid: s.pid,
    ExitCode: s.exitCode,
    Error: s.error,
    StartedAt: s.startedAt || ZERO_TIME,
    FinishedAt: s.finishedAt || ZERO_TIME,
  };
  if (s.health) {
    out.Health = {
      Status: s.health.status,
      FailingStreak: s.health.failingStreak,
      Log: s.health.log.map((e) => ({ Start: e.start, End: e.end, ExitCode: e.exitCode, Output: e.output })),
    };
  }
  return out;
}

/** inspect's MountPoint: Name and Driver only for volumes. */
function mountView(m: container.MountPoint): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: m.type };
  if (m.type === 'volume') out.Name = m.name;
  out.Source = m.source;
  out.Destination = m.destination;
  if (m.type === 'volume') out.Driver = m.driver;
  Object.assign(out, { Mode: m.mode, RW: m.rw, Propagation: m.propagation });
  return out;
}


/** The container's config, for callers that need one of its fields (e.g. Tty). */
export function containerConfigOf(c: container.Container): StoredConfig {
  return parseJson<StoredConfig>(c.configJson, {});
}

/** Networks that are not a user network's: their endpoints never had the legacy aliases. */
function isUserNetwork(name: string): boolean {
  return !['bridge', 'default', 'host', 'none'].includes(name) && !name.startsWith('container:');
}

/**
 * NetworkSettings as the request's API version shows it. Stored in the
 * newest shape; before 1.45 each user-network endpoint's Aliases also hold
 * the short ID and the hostname, as dockerd added them (deduplicated, in
 * that order after the user's own). Nothing else differs in the versions
 * served (up to 1.50): dockerd 28 keeps the deprecated top-level fields
 * (Bridge, HairpinMode, IPAddress...) until 1.52 removes them, and shows
 * DNSNames and GwPriority whatever the version asked.
 */
export function networkSettingsView(c: container.Container, config: StoredConfig, features?: ApiFeatures): NetworkSettings {
  const settings = c.networkSettingsJson === '' ? (emptyNetworkSettings() as NetworkSettings) : (JSON.parse(c.networkSettingsJson) as NetworkSettings);
  if (features?.aliasesWithShortId && settings.Networks) {
    for (const [name, ep] of Object.entries(settings.Networks)) {
      if (!ep || !isUserNetwork(name)) continue;
      ep.Aliases = [...new Set([...(ep.Aliases ?? []), c.id.slice(0, 12), config.Hostname ?? ''])];
    }
  }
  return settings;
}

/**
 * `GET /containers/{id}/json`: ContainerInspectResponse; sizes only when
 * asked (size_rw is -1 otherwise); shaped for the request's API version
 * when `features` is given (the newest shape otherwise).
 */
export function containerInspectView(c: container.Container, features?: ApiFeatures): Record<string, unknown> {
  const g = c.graphDriver;
  const view: Record<string, unknown> = {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: stateView(c.state ?? { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: '', finishedAt: '', health: undefined }),
    Image: c.imageId,
    ResolvConfPath: c.resolvConfPath,
    HostnamePath: c.hostnamePath,
    HostsPath: c.hostsPath,
    LogPath: c.logPath,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: c.platform || 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: c.execIds.length > 0 ? c.execIds : null,
    HostConfig: parseJson<HostConfig>(c.hostConfigJson, {}),
    GraphDriver: { Data: g ? { LowerDir: g.lowerDir, UpperDir: g.upperDir, WorkDir: g.workDir, MergedDir: g.mergedDir } : null, Name: 'overlay2' },
  };
  if (c.sizeRw >= 0) Object.assign(view, { SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs });
  const config = containerConfigOf(c);
  return Object.assign(view, {
    Mounts: c.mounts.map(mountView),
    Config: configView(config),
    NetworkSettings: networkSettingsView(c, config, features),
  });
}

/** dockerd's list Command: the path, then the arguments, those with spaces quoted. */
function commandLine(c: container.Container): string {
  if (c.args.length === 0) return c.path;
  return `${c.path} ${c.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** `GET /containers/json`: one ContainerSummary; sizes only when asked (size_rw is -1 otherwise). */
export function containerSummaryView(c: container.Container): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.imageName,
    ImageID: c.imageId,
    Command: commandLine(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    // [{IP?, PrivatePort, PublicPort?, Type}], as container-service lists them.
    Ports: parseJson<unknown[]>(c.portsJson, []),
    Labels: c.labels,
  };
  if (c.sizeRw >= 0) Object.assign(view, { SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs });
  const state = c.state;
  return Object.assign(view, {
    State: state?.status ?? 'created',
    Status: state ? statusText(state) : 'Created',
    HostConfig: { NetworkMode: c.networkMode || 'bridge' },
    NetworkSettings: { Networks: parseJson<Record<string, unknown>>(c.networksJson, {}) },
    Mounts: c.mounts.map(mountView),
  });
}
