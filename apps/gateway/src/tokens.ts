/** Injection tokens for values that are not classes. */
export const CONFIG = Symbol('BerthConfig');
export const LOGGER = Symbol('Logger');
export const HOST_FACTS = Symbol('HostFacts');
export const REDIS = Symbol('Redis');
