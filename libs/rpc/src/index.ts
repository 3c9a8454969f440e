export * from './errors';
export * from './server';
export * from './client';
export * from './lifecycle';
export * from './service-main';
export * from './transport';
export * from './certificate-files';
