import type { container } from '@berth/proto';
import type { MountPoint } from '../containers/container-record';
import type { ContainerRecord } from '../containers/container-record';
import { inspectLink, parseLink } from '../containers/links';
import { PortMap, portsSummary } from '../containers/port-specs';

/**
 * The declared messages of the ContainerService contract, made from the
 * stored record. The record's own bookkeeping (LayerPaths, MountPlan,
 * ManuallyStopped, ...) stays here: only what clients see crosses.
 */
export function stateMessage(s: ContainerRecord['State']): container.ContainerState {
  return {
    status: s.Status,
    pid: s.Pid ?? 0,
    exitCode: s.ExitCode ?? 0,
    error: s.Error ?? '',
    oomKilled: s.OOMKilled ?? false,
    startedAt: s.StartedAt ?? '',
    finishedAt: s.FinishedAt ?? '',
    health: s.Health
      ? { status: s.Health.Status, failingStreak: s.Health.FailingStreak, log: s.Health.Log.map((e) => ({ start: e.Start, end: e.End, exitCode: e.ExitCode, output: e.Output })) }
      : undefined,
  };
}

function mountMessage(m: MountPoint): container.MountPoint {
  return { type: m.Type, name: m.Name ?? '', source: m.Source, destination: m.Destination, driver: m.Driver ?? '', mode: m.Mode, rw: m.RW, propagation: m.Propagation };
}

function labelsOf(r: ContainerRecord): Record<string, string> {
  return (r.Config as { Labels?: Record<string, string> | null }).Labels ?? {};
}

const NO_SIZE = { rw: -1, rootFs: -1 };

/** What `GET /containers/json` shows of a container. */
export function summaryMessage(r: ContainerRecord, size = NO_SIZE): container.Container {
  return {
    id: r.Id,
    sizeRw: size.rw,
    sizeRootFs: size.rootFs,
    name: r.Name,
    created: r.Created,
    path: r.Path,
    args: r.Args,
    imageId: r.Image,
    imageName: r.ImageName,
    state: stateMessage(r.State),
    restartCount: r.RestartCount ?? 0,
    platform: r.Platform,
    logPath: '',
    resolvConfPath: '',
    hostnamePath: '',
    hostsPath: '',
    mounts: (r.Mounts ?? []).map(mountMessage),
    configJson: '',
    hostConfigJson: '',
    networkSettingsJson: '',
    graphDriver: undefined,
    execIds: [],
    labels: labelsOf(r),
    networkMode: (r.HostConfig.NetworkMode as string | undefined) ?? 'bridge',
    networksJson: r.NetworkSettings?.Networks ? JSON.stringify(r.NetworkSettings.Networks) : '',
    portsJson: JSON.stringify(portsSummary((r.NetworkSettings as { Ports?: PortMap } | undefined)?.Ports)),
  };
}

/**
 * HostConfig as inspect shows it. dockerd rebuilds Links from its link
 * graph: a default-bridge link as `/b:/a/alias` (a rename shows the new
 * name), null otherwise (on a user network links live in the endpoint).
 */
function hostConfigView(r: ContainerRecord): ContainerRecord['HostConfig'] {
  const links = (r.HostConfig.Links as string[] | null | undefined) ?? [];
  const bridge = String(r.HostConfig.NetworkMode || 'bridge') === 'bridge';
  const view: Record<string, unknown> = { ...r.HostConfig, Links: bridge && links.length > 0 ? links.map((l) => inspectLink(r.Name, parseLink(l))) : null };
  return view as ContainerRecord['HostConfig'];
}

/** What `GET /containers/{id}/json` shows of a container. */
export function inspectMessage(r: ContainerRecord, size = NO_SIZE): container.Container {
  return {
    ...summaryMessage(r, size),
    logPath: r.LogPath ?? '',
    resolvConfPath: r.ResolvConfPath ?? '',
    hostnamePath: r.HostnamePath ?? '',
    hostsPath: r.HostsPath ?? '',
    configJson: JSON.stringify(r.Config),
    hostConfigJson: JSON.stringify(hostConfigView(r)),
    networkSettingsJson: r.NetworkSettings ? JSON.stringify(r.NetworkSettings) : '',
    graphDriver: r.GraphDriver
      ? { lowerDir: r.GraphDriver.LowerDir, upperDir: r.GraphDriver.UpperDir, workDir: r.GraphDriver.WorkDir, mergedDir: r.GraphDriver.MergedDir }
      : undefined,
    execIds: r.ExecIDs ?? [],
  };
}
