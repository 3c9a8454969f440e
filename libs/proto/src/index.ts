export * as health from './gen/grpc_health_v1';
export * as common from './gen/berth/common';
export * as volume from './gen/berth/volume';
export * as image from './gen/berth/image';
export * as container from './gen/berth/container';
export * as network from './gen/berth/network';
