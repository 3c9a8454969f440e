import type { DnsNameSource } from './name-source';
import {
  type DnsQuery,
  CLASS_IN,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  TYPE_A,
  TYPE_AAAA,
  TYPE_ANY,
  TYPE_PTR,
  encodeAReply,
  encodeEmptyReply,
  encodePtrReply,
  reverseIPv4,
} from './dns-message';

/** dockerd's embedded server answers container names with this TTL. */
export const CONTAINER_TTL = 600;

/** What the answerer returns when the query is for the upstream resolvers. */
export const FORWARD = Symbol('forward');
export type Answer = Buffer | typeof FORWARD;

/**
 * Decides the reply to one parsed query from one client, synchronously: the
 * hot path (a container name) is a table lookup and one buffer. Only names
 * that are no container's go to the forwarder.
 */
export class DnsAnswerer {
  constructor(
    private readonly source: DnsNameSource,
    /** Injected so tests can fix the round-robin order. */
    private readonly random: () => number = Math.random,
  ) {}

  /** `limit`: the longest reply the transport allows (UDP); replies beyond it are truncated with TC. */
  answer(query: DnsQuery, client: string, limit: number): Answer {
    const addresses = this.source.lookup(client, query.name);
    // Only containers may use the server: it is never an open resolver.
    if (addresses === undefined) return encodeEmptyReply(query, RCODE_REFUSED);
    if (query.klass !== CLASS_IN) return FORWARD;

    if (addresses.length > 0) {
      if (query.type === TYPE_A || query.type === TYPE_ANY) {
        return encodeAReply(query, this.shuffled(addresses), CONTAINER_TTL, limit);
      }
      // The name is a container's, it just has no record of this type (no
      // IPv6 on Berth's networks): NODATA, not a question for the upstream,
      // which would only say NXDOMAIN after a round trip.
      return encodeEmptyReply(query, RCODE_NOERROR);
    }

    if (query.type === TYPE_PTR) {
      const address = reverseIPv4(query.name);
      const name = address === undefined ? undefined : this.source.reverse(client, address);
      if (name !== undefined) {
        const reply = encodePtrReply(query, name, CONTAINER_TTL);
        if (reply) return reply;
      }
      return FORWARD;
    }

    // A single label that is no container's name: no resolver upstream knows
    // it either, and the issue wants unknown container names to fail at once,
    // not after the upstream's time-out. Only for address lookups: a TLD's
    // SOA, NS or DS still goes upstream.
    if (isAddressType(query.type) && query.name !== '' && !query.name.includes('.')) {
      return encodeEmptyReply(query, RCODE_NXDOMAIN);
    }
    return FORWARD;
  }

  /** A shuffled copy (Fisher-Yates), so a shared alias is answered round-robin as Compose's scaled services expect. */
  private shuffled(addresses: readonly string[]): readonly string[] {
    if (addresses.length < 2) return addresses;
    const out = addresses.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

function isAddressType(type: number): boolean {
  return type === TYPE_A || type === TYPE_AAAA || type === TYPE_ANY;
}
