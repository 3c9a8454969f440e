export * from './payloads';
export * from './progress';
export * from './connection';
export * from './acl';
export * from './secrets';
export * from './sealed-jobs';
