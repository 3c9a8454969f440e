import type { ContainerRecord as EngineContainerRecord } from '@berth/engine-api';
import type { ContainerConfig } from './config-merge';

/** The stored record, with the Config shape this service builds. */
export type ContainerRecord = EngineContainerRecord<ContainerConfig>;
