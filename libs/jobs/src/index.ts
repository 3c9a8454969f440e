export * from './payloads';
export * from './progress';
export * from './connection';
export * from './acl';
