/**
 * Injection tokens of the backends, one per area, as moby's
 * api/server/router/<area>/backend.go: a controller sees only its own.
 */
export const CONTAINER_BACKEND = Symbol('ContainerBackend');
export const CONTAINER_ATTACH_BACKEND = Symbol('ContainerAttachBackend');
export const CONTAINER_MONITOR_BACKEND = Symbol('ContainerMonitorBackend');
export const CONTAINER_COPY_BACKEND = Symbol('ContainerCopyBackend');
export const EXEC_BACKEND = Symbol('ExecBackend');
export const IMAGE_BACKEND = Symbol('ImageBackend');
export const DISTRIBUTION_BACKEND = Symbol('DistributionBackend');
export const VOLUME_BACKEND = Symbol('VolumeBackend');
export const NETWORK_BACKEND = Symbol('NetworkBackend');
export const SYSTEM_BACKEND = Symbol('SystemBackend');
export const EVENTS_BACKEND = Symbol('EventsBackend');
