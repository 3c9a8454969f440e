export { startRegistry, REGISTRY_BIN, SKOPEO_BIN } from './registry';
export type { Registry, RegistryAuthOptions, RegistryResponse, StartRegistryOptions, PushOptions } from './registry';
export { startTokenServer, libtrustKeyId, parseScopes } from './token-server';
export type { TokenServer, TokenServerOptions, AccessEntry } from './token-server';
export { makeImage, tarOf } from './generated-image';
export type { GeneratedImage, ImageBlob } from './generated-image';
