import * as fs from 'node:fs';
import * as os from 'node:os';
import { BERTH_VERSION, BUILD_TIME, ENGINE_VERSION, MAX_API_VERSION, MIN_API_VERSION, goArch } from '../server/identity';
import type { container } from '@berth/proto';

export interface Inventory {
  containers: number;
  running: number;
  paused: number;
  stopped: number;
  images: number;
}

/** GET /version. */
export function versionBody(facts: container.HostInfo): Record<string, unknown> {
  const details = {
    ApiVersion: MAX_API_VERSION,
    Arch: goArch(),
    BuildTime: BUILD_TIME,
    Experimental: 'false',
    GitCommit: 'berth',
    GoVersion: `node${process.versions.node}`,
    KernelVersion: facts.kernelVersion,
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: `Berth ${BERTH_VERSION}` },
    Components: [
      { Name: 'Engine', Version: ENGINE_VERSION, Details: details },
      { Name: 'berth', Version: BERTH_VERSION, Details: { GitCommit: '' } },
      { Name: 'runc', Version: facts.runcVersion, Details: { GitCommit: facts.runcCommit } },
    ],
    Version: ENGINE_VERSION,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'berth',
    GoVersion: details.GoVersion,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: facts.kernelVersion,
    BuildTime: BUILD_TIME,
  };
}

/** GET /info, with live host figures and the services' inventory. */
export function infoBody(facts: container.HostInfo, inventory: Inventory, eventListeners: number, warnings: string[]): Record<string, unknown> {
  return {
    ID: facts.engineId,
    Containers: inventory.containers,
    ContainersRunning: inventory.running,
    ContainersPaused: inventory.paused,
    ContainersStopped: inventory.stopped,
    Images: inventory.images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', facts.backingFilesystem], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']],
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'null'],
      Authorization: null,
      Log: ['k8s-file'],
    },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: countOpenFds(),
    OomKillDisable: facts.cgroupVersion === '1',
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'k8s-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: facts.cgroupVersion,
    NEventsListener: eventListeners,
    KernelVersion: facts.kernelVersion,
    OperatingSystem: facts.operatingSystem,
    OSVersion: facts.osVersion,
    OSType: 'linux',
    Architecture: facts.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: null,
    },
    NCPU: facts.ncpu,
    MemTotal: facts.memTotal,
    GenericResources: null,
    DockerRootDir: facts.dataRoot,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: facts.name || os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: ENGINE_VERSION,
    Runtimes: { runc: { path: 'runc' } },
    DefaultRuntime: 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'tini',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: facts.runcCommit },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin'],
    CDISpecDirs: [],
    Warnings: warnings.length > 0 ? warnings : null,
  };
}

function countOpenFds(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}
