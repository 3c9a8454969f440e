import {
  GoType, anyValue, arrayOf, duration, emptyStruct, goBool, goString, int, int64, mapOf, sliceOf, strslice, struct, uint, uint16, uint64,
} from './go-types';

/**
 * The request bodies dockerd decodes, as moby's Go structs declare them
 * (api/types of the Engine API version served, 1.50). Field names are the
 * JSON names; the type names are what dockerd's error messages show.
 */

const str = goString();
const fileMode: GoType = { kind: 'int', name: 'fs.FileMode', min: 0, max: 2 ** 32 - 1 };
const strings = sliceOf(str);
const stringMap = mapOf(str);

const healthConfig = struct('container.HealthConfig', {
  Test: strings, Interval: duration, Timeout: duration, StartPeriod: duration, StartInterval: duration, Retries: int,
});

/** container.Config: embedded in CreateRequest, so its fields are CreateRequest's. */
const configFields: Record<string, GoType> = {
  Hostname: str, Domainname: str, User: str,
  AttachStdin: goBool, AttachStdout: goBool, AttachStderr: goBool,
  ExposedPorts: mapOf(emptyStruct, 'nat.PortSet'),
  Tty: goBool, OpenStdin: goBool, StdinOnce: goBool,
  Env: strings,
  Cmd: strslice,
  Healthcheck: healthConfig,
  ArgsEscaped: goBool,
  Image: str,
  Volumes: mapOf(emptyStruct, 'map[string]struct {}'),
  WorkingDir: str,
  Entrypoint: strslice,
  NetworkDisabled: goBool,
  MacAddress: str,
  OnBuild: strings,
  Labels: stringMap,
  StopSignal: str,
  StopTimeout: int,
  Shell: strslice,
};

const weightDevice = struct('blkiodev.WeightDevice', { Path: str, Weight: uint16 });
const throttleDevice = struct('blkiodev.ThrottleDevice', { Path: str, Rate: uint64 });

/** container.Resources: embedded in HostConfig and UpdateConfig. */
const resourcesFields: Record<string, GoType> = {
  CpuShares: int64,
  Memory: int64,
  NanoCpus: int64,
  CgroupParent: str,
  BlkioWeight: uint16,
  BlkioWeightDevice: sliceOf(weightDevice, '[]*blkiodev.WeightDevice'),
  BlkioDeviceReadBps: sliceOf(throttleDevice, '[]*blkiodev.ThrottleDevice'),
  BlkioDeviceWriteBps: sliceOf(throttleDevice, '[]*blkiodev.ThrottleDevice'),
  BlkioDeviceReadIOps: sliceOf(throttleDevice, '[]*blkiodev.ThrottleDevice'),
  BlkioDeviceWriteIOps: sliceOf(throttleDevice, '[]*blkiodev.ThrottleDevice'),
  CpuPeriod: int64,
  CpuQuota: int64,
  CpuRealtimePeriod: int64,
  CpuRealtimeRuntime: int64,
  CpusetCpus: str,
  CpusetMems: str,
  Devices: sliceOf(struct('container.DeviceMapping', { PathOnHost: str, PathInContainer: str, CgroupPermissions: str })),
  DeviceCgroupRules: strings,
  DeviceRequests: sliceOf(struct('container.DeviceRequest', {
    Driver: str, Count: int, DeviceIDs: strings, Capabilities: sliceOf(strings), Options: stringMap,
  })),
  KernelMemory: int64,
  KernelMemoryTCP: int64,
  MemoryReservation: int64,
  MemorySwap: int64,
  MemorySwappiness: int64,
  OomKillDisable: goBool,
  PidsLimit: int64,
  Ulimits: sliceOf(struct('units.Ulimit', { Name: str, Hard: int64, Soft: int64 }), '[]*units.Ulimit'),
  CpuCount: int64,
  CpuPercent: int64,
  IOMaximumIOps: uint64,
  IOMaximumBandwidth: uint64,
};

const restartPolicy = struct('container.RestartPolicy', { Name: goString('container.RestartPolicyMode'), MaximumRetryCount: int });

const mount = struct('mount.Mount', {
  Type: goString('mount.Type'),
  Source: str,
  Target: str,
  ReadOnly: goBool,
  Consistency: goString('mount.Consistency'),
  BindOptions: struct('mount.BindOptions', {
    Propagation: goString('mount.Propagation'), NonRecursive: goBool, CreateMountpoint: goBool, ReadOnlyNonRecursive: goBool, ReadOnlyForceRecursive: goBool,
  }),
  VolumeOptions: struct('mount.VolumeOptions', {
    NoCopy: goBool, Labels: stringMap, Subpath: str, DriverConfig: struct('mount.Driver', { Name: str, Options: stringMap }),
  }),
  ImageOptions: struct('mount.ImageOptions', { Subpath: str }),
  TmpfsOptions: struct('mount.TmpfsOptions', { SizeBytes: int64, Mode: fileMode, Options: sliceOf(strings) }),
  ClusterOptions: struct('mount.ClusterOptions', {}),
});

const hostConfig = struct('container.HostConfig', {
  Binds: strings,
  ContainerIDFile: str,
  LogConfig: struct('container.LogConfig', { Type: str, Config: stringMap }),
  NetworkMode: goString('container.NetworkMode'),
  PortBindings: mapOf(sliceOf(struct('nat.PortBinding', { HostIp: str, HostPort: str })), 'nat.PortMap'),
  RestartPolicy: restartPolicy,
  AutoRemove: goBool,
  VolumeDriver: str,
  VolumesFrom: strings,
  ConsoleSize: arrayOf(uint, 2),
  Annotations: stringMap,
  CapAdd: strslice,
  CapDrop: strslice,
  CgroupnsMode: goString('container.CgroupnsMode'),
  Dns: strings,
  DnsOptions: strings,
  DnsSearch: strings,
  ExtraHosts: strings,
  GroupAdd: strings,
  IpcMode: goString('container.IpcMode'),
  Cgroup: goString('container.CgroupSpec'),
  Links: strings,
  OomScoreAdj: int,
  PidMode: goString('container.PidMode'),
  Privileged: goBool,
  PublishAllPorts: goBool,
  ReadonlyRootfs: goBool,
  SecurityOpt: strings,
  StorageOpt: stringMap,
  Tmpfs: stringMap,
  UTSMode: goString('container.UTSMode'),
  UsernsMode: goString('container.UsernsMode'),
  ShmSize: int64,
  Sysctls: stringMap,
  Runtime: str,
  Isolation: goString('container.Isolation'),
  ...resourcesFields,
  Mounts: sliceOf(mount),
  MaskedPaths: strings,
  ReadonlyPaths: strings,
  Init: goBool,
});

const endpointSettings = struct('network.EndpointSettings', {
  IPAMConfig: struct('network.EndpointIPAMConfig', { IPv4Address: str, IPv6Address: str, LinkLocalIPs: strings }),
  Links: strings,
  Aliases: strings,
  DriverOpts: stringMap,
  GwPriority: int,
  NetworkID: str,
  EndpointID: str,
  Gateway: str,
  IPAddress: str,
  IPPrefixLen: int,
  IPv6Gateway: str,
  GlobalIPv6Address: str,
  GlobalIPv6PrefixLen: int,
  MacAddress: str,
  DNSNames: strings,
});

/** POST /containers/create */
export const CONTAINER_CREATE: GoType = struct('container.CreateRequest', {
  ...configFields,
  HostConfig: hostConfig,
  NetworkingConfig: struct('network.NetworkingConfig', { EndpointsConfig: mapOf(endpointSettings, 'map[string]*network.EndpointSettings') }),
});

const ipam = struct('network.IPAM', {
  Driver: str,
  Options: stringMap,
  Config: sliceOf(struct('network.IPAMConfig', { Subnet: str, IPRange: str, Gateway: str, AuxiliaryAddresses: stringMap })),
});

/** POST /networks/create: network.CreateRequest (CreateOptions embedded, so its fields are the request's). */
export const NETWORK_CREATE: GoType = struct('network.CreateRequest', {
  Driver: str,
  Scope: str,
  EnableIPv4: goBool,
  EnableIPv6: goBool,
  IPAM: ipam,
  Internal: goBool,
  Attachable: goBool,
  Ingress: goBool,
  ConfigOnly: goBool,
  ConfigFrom: struct('network.ConfigReference', { Network: str }),
  Options: stringMap,
  Labels: stringMap,
  Name: str,
  CheckDuplicate: goBool,
});

/** POST /networks/{id}/connect */
export const NETWORK_CONNECT: GoType = struct('network.ConnectOptions', { Container: str, EndpointConfig: endpointSettings });

/** POST /networks/{id}/disconnect */
export const NETWORK_DISCONNECT: GoType = struct('network.DisconnectOptions', { Container: str, Force: goBool });

/** POST /containers/{id}/update */
export const CONTAINER_UPDATE: GoType = struct('container.UpdateConfig', { ...resourcesFields, RestartPolicy: restartPolicy });

/** POST /containers/{id}/exec */
export const EXEC_CREATE: GoType = struct('container.ExecOptions', {
  User: str, Privileged: goBool, Tty: goBool, ConsoleSize: arrayOf(uint, 2),
  AttachStdin: goBool, AttachStderr: goBool, AttachStdout: goBool, Detach: goBool, DetachKeys: str,
  Env: strings, WorkingDir: str, Cmd: strings,
});

/** POST /exec/{id}/start */
export const EXEC_START: GoType = struct('container.ExecStartOptions', { Detach: goBool, Tty: goBool, ConsoleSize: arrayOf(uint, 2) });

/** POST /volumes/create */
export const VOLUME_CREATE: GoType = struct('volume.CreateOptions', {
  ClusterVolumeSpec: struct('volume.ClusterVolumeSpec', { Group: str, AccessMode: anyValue, Secrets: anyValue, AccessibilityRequirements: anyValue, CapacityRange: anyValue, Availability: str }),
  Driver: str, DriverOpts: stringMap, Labels: stringMap, Name: str,
});

/** POST /auth */
export const AUTH_CONFIG: GoType = struct('registry.AuthConfig', {
  username: str, password: str, auth: str, email: str, serveraddress: str, identitytoken: str, registrytoken: str,
});

/** The `filters` query: map[string]map[string]bool, or the legacy map[string][]string. */
export const FILTERS_MAP: GoType = mapOf(mapOf(goBool), 'map[string]map[string]bool');
