import type { components } from './generated/engine-api';

/**
 * The Engine API's own structures, generated from moby's swagger.yaml
 * (src/generated): the request and response shapes the gateway reads and
 * writes, and that travel as JSON between the gateway and the services.
 */
type Schemas = components['schemas'];

export type HostConfig = Schemas['HostConfig'];
export type ContainerConfig = Schemas['ContainerConfig'];
export type NetworkingConfig = Schemas['NetworkingConfig'];
export type EndpointSettings = Schemas['EndpointSettings'];
export type NetworkSettings = Schemas['NetworkSettings'];
export type RestartPolicy = Schemas['RestartPolicy'];
export type Resources = Schemas['Resources'];
export type Mount = Schemas['Mount'];
export type DeviceMapping = Schemas['DeviceMapping'];
export type HealthConfig = Schemas['HealthConfig'];
export type PortBinding = Schemas['PortBinding'];
export type ContainerInspectResponse = Schemas['ContainerInspectResponse'];
export type ContainerSummaryResponse = Schemas['ContainerSummary'];
export type ContainerUpdateRequest = Schemas['Resources'] & { RestartPolicy?: RestartPolicy };
export type ImageInspectResponse = Schemas['ImageInspect'];
export type ImageSummaryResponse = Schemas['ImageSummary'];
export type VolumeResponse = Schemas['Volume'];
export type SystemInfo = Schemas['SystemInfo'];
export type SystemVersion = Schemas['SystemVersion'];
export type EventMessage = Schemas['EventMessage'];
export type ProgressDetail = Schemas['ProgressDetail'];
export type ErrorResponse = Schemas['ErrorResponse'];
