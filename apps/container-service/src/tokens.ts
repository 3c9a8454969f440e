/** Injection tokens for what Nest cannot name by class: values from main.ts and interfaces. */
export const LOGGER = Symbol('Logger');
export const CONFIG = Symbol('BerthConfig');
export const EVENTS = Symbol('EventSink');
/** lifecycle/container-runtime.ts ContainerRuntime */
export const CONTAINER_RUNTIME = Symbol('ContainerRuntime');
/** lifecycle/network-link.ts NetworkLink */
export const NETWORK_LINK = Symbol('NetworkLink');
/** lifecycle/lifecycle-observer.ts LifecycleObserver */
export const LIFECYCLE_OBSERVER = Symbol('LifecycleObserver');
