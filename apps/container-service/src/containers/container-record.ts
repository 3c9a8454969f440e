import type { ContainerRecord as StoredRecord } from './stored-record';
import type { ContainerConfig } from './config-merge';

export type { ContainerState, ContainerHealth, HealthLogEntry, MountPoint, ContainerStatus } from './stored-record';

/** The stored record, with the Config shape this service builds. */
export type ContainerRecord = StoredRecord<ContainerConfig>;
