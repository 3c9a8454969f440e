/** Injection tokens for what main.ts hands the module: the service's inputs, not objects it builds. */
export const LOGGER = Symbol('Logger');
export const CONFIG = Symbol('BerthConfig');
export const EVENTS = Symbol('EventSink');
