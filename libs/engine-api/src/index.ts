export * from './errors';
export * from './versions';
export * from './filters';
export * from './events';
export * from './types';
export * from './durations';
export * from './timestamps';
export * from './stdcopy';
