/** Injection tokens for values that are not classes (the backends have theirs in backends/tokens.ts). */
export const LOGGER = Symbol('Logger');
export const CONFIG = Symbol('BerthConfig');
