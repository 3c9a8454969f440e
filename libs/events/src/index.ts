export * from './redis';
export * from './publisher';
export * from './reader';
export * from './filter';
export { familiarName } from './familiar';
export * from './sink';
export * from './range-pages';
export * from './follower';
