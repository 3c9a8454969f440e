import type { ContainerRecord } from '@berth/engine-api';
import { statusText } from './status-text';

/**
 * Records parsed before, by their JSON text: `ps` asks for every container
 * each time and most have not changed since. Views only read them.
 */
const parsed = new Map<string, ContainerRecord>();
const PARSED_MAX = 4096;

export function parseRecord(json: string): ContainerRecord {
  const hit = parsed.get(json);
  if (hit) return hit;
  const record = JSON.parse(json) as ContainerRecord;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(json, record);
  return record;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function orNull<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

/** ContainerConfig in dockerd's field order, with its omitempty fields left out when empty. */
function configView(c: Record<string, unknown>): Record<string, unknown> {
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

function running(r: ContainerRecord): boolean {
  return r.State.Status === 'running' || r.State.Status === 'paused' || r.State.Status === 'restarting';
}

function stateView(r: ContainerRecord): Record<string, unknown> {
  const s = r.State;
  const out: Record<string, unknown> = {
    Status: s.Status,
    Running: running(r),
    Paused: s.Status === 'paused',
    Restarting: s.Status === 'restarting',
    OOMKilled: s.OOMKilled ?? false,
    Dead: s.Status === 'dead',
    Pid: s.Pid ?? 0,
    ExitCode: s.ExitCode ?? 0,
    Error: s.Error ?? '',
    StartedAt: s.StartedAt ?? ZERO_TIME,
    FinishedAt: s.FinishedAt ?? ZERO_TIME,
  };
  if (s.Health) out.Health = s.Health;
  return out;
}

/** inspect's MountPoint: Name and Driver only for volumes. */
function mountView(m: NonNullable<ContainerRecord['Mounts']>[number]): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: m.Type };
  if (m.Name !== undefined) out.Name = m.Name;
  out.Source = m.Source;
  out.Destination = m.Destination;
  if (m.Driver !== undefined) out.Driver = m.Driver;
  Object.assign(out, { Mode: m.Mode, RW: m.RW, Propagation: m.Propagation });
  return out;
}

/** `GET /containers/{id}/json`: ContainerInspectResponse. */
export interface ContainerSizes {
  sizeRw: number;
  sizeRootFs: number;
}

export function containerInspectView(r: ContainerRecord, sizes?: ContainerSizes): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Id: r.Id,
    Created: r.Created,
    Path: r.Path,
    Args: r.Args,
    State: stateView(r),
    Image: r.Image,
    ResolvConfPath: r.ResolvConfPath ?? '',
    HostnamePath: r.HostnamePath ?? '',
    HostsPath: r.HostsPath ?? '',
    LogPath: r.LogPath ?? '',
    Name: `/${r.Name}`,
    RestartCount: r.RestartCount ?? 0,
    Driver: 'overlay2',
    Platform: r.Platform || 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: r.ExecIDs && r.ExecIDs.length > 0 ? r.ExecIDs : null,
    HostConfig: r.HostConfig,
    GraphDriver: { Data: r.GraphDriver ?? null, Name: 'overlay2' },
  };
  if (sizes) Object.assign(view, { SizeRw: sizes.sizeRw, SizeRootFs: sizes.sizeRootFs });
  return Object.assign(view, {
    Mounts: (r.Mounts ?? []).map(mountView),
    Config: configView(r.Config),
    NetworkSettings: r.NetworkSettings ?? {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: {},
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: '',
      Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      MacAddress: '',
      Networks: {},
    },
  });
}

/** dockerd's list Command: the path, then the arguments, those with spaces quoted. */
function commandLine(r: ContainerRecord): string {
  if (r.Args.length === 0) return r.Path;
  return `${r.Path} ${r.Args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** `GET /containers/json`: one ContainerSummary. */
export function containerSummaryView(r: ContainerRecord, sizes?: ContainerSizes): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Id: r.Id,
    Names: [`/${r.Name}`],
    Image: r.ImageName,
    ImageID: r.Image,
    Command: commandLine(r),
    Created: Math.floor(Date.parse(r.Created) / 1000),
    Ports: [],
    Labels: (r.Config.Labels as Record<string, string> | undefined) ?? {},
  };
  if (sizes) Object.assign(view, { SizeRw: sizes.sizeRw, SizeRootFs: sizes.sizeRootFs });
  return Object.assign(view, {
    State: r.State.Status,
    Status: statusText(r.State),
    HostConfig: { NetworkMode: (r.HostConfig.NetworkMode as string | undefined) ?? 'bridge' },
    NetworkSettings: { Networks: (r.NetworkSettings?.Networks as Record<string, unknown> | undefined) ?? {} },
    Mounts: (r.Mounts ?? []).map(mountView),
  });
}
