import { ChannelCredentials, ServerCredentials, experimental } from '@grpc/grpc-js';
import type { GrpcTlsConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { CertificateFiles } from './certificate-files';

// What protects a gRPC address. The services do what they are asked as
// root, so a caller must be this host's owner (a unix socket, 0600) or hold
// a certificate from Berth's CA (TCP with mutual TLS). Plain TCP is refused
// at both ends unless BERTH_GRPC_INSECURE=1 says otherwise.
//
// This module loads grpc-js only, not Nest: the launcher and the test
// harness import it as '@berth/rpc/dist/transport'.

export function isUnixAddress(address: string): boolean {
  return address.startsWith('unix:');
}

const HOW = 'set BERTH_GRPC_TLS_CERT, BERTH_GRPC_TLS_KEY and BERTH_GRPC_TLS_CA (mutual TLS), use a unix: address, or set BERTH_GRPC_INSECURE=1 to allow plain TCP anyway';

/** True when `address` would carry gRPC in the clear over the network (allowed only by the insecure switch). */
export function isPlaintextTcp(address: string, tls: GrpcTlsConfig): boolean {
  return !isUnixAddress(address) && !tls.cert;
}

/** One reader per set of files in a process: the server and every channel share it and its timer. */
const providers = new Map<string, CertificateFiles>();

export function certificateFilesFor(tls: GrpcTlsConfig, logger?: Logger): CertificateFiles {
  if (!tls.cert || !tls.key || !tls.ca) throw new Error('gRPC TLS is not configured');
  const paths = { cert: tls.cert, key: tls.key, ca: tls.ca };
  const id = JSON.stringify([paths, tls.reloadMs]);
  let p = providers.get(id);
  if (!p) {
    p = new CertificateFiles(paths, tls.reloadMs, logger);
    providers.set(id, p);
  }
  // Clients are often made before the server, by code that has no logger.
  if (logger && !p.logger) p.logger = logger;
  return p;
}

/** How a server on `address` authenticates its callers; throws for plain TCP without the insecure switch. */
export function serverCredentialsFor(address: string, tls: GrpcTlsConfig, logger?: Logger): ServerCredentials {
  if (isUnixAddress(address)) return ServerCredentials.createInsecure();
  if (tls.cert) {
    const files = certificateFilesFor(tls, logger);
    // Callers must show a certificate of the CA (requireClientCertificate).
    // One provider answers both roles, which also sidesteps grpc-js 1.14
    // passing this function's two provider arguments on in swapped order.
    return experimental.createCertificateProviderServerCredentials(files, files, true);
  }
  if (tls.insecure) return ServerCredentials.createInsecure();
  throw new Error(`refusing to listen on ${address} without TLS: whoever reaches it is root on this host; ${HOW}`);
}

/** How a client reaches `address`: its certificate shown, the server's checked against the CA and the address's name. */
export function channelCredentialsFor(address: string, tls: GrpcTlsConfig, logger?: Logger): ChannelCredentials {
  if (isUnixAddress(address)) return ChannelCredentials.createInsecure();
  if (tls.cert) {
    const files = certificateFilesFor(tls, logger);
    return experimental.createCertificateProviderChannelCredentials(files, files);
  }
  if (tls.insecure) return ChannelCredentials.createInsecure();
  throw new Error(`refusing to call ${address} without TLS: ${HOW}`);
}
