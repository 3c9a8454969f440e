/** Injection tokens for what main.ts hands the module: the service's inputs, not objects it builds. */
export const LOGGER = Symbol('Logger');
export const CONFIG = Symbol('BerthConfig');
export const EVENTS = Symbol('EventSink');
/** The embedded DNS server's listeners (EmbeddedDns). */
export const DNS_LISTENERS = Symbol('DnsListeners');
/** The port publisher (IptablesPortPublisher). */
export const PORT_PUBLISHER = Symbol('PortPublisher');
