import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import type { experimental } from '@grpc/grpc-js';
import type { Logger } from '@berth/logging';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

export interface CertificatePaths {
  cert: string;
  key: string;
  ca: string;
}

interface Loaded {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

/**
 * A certificate, its key and the CA, read from PEM files and read again
 * every `reloadMs`, for grpc-js's certificate-provider credentials: a server
 * sets the new context on its listener and a channel builds each new
 * connection from the latest one, so rotated files are used without a
 * restart. A set of files that does not fit together (a key written before
 * its certificate, a truncated file) is not taken: the last good set stays
 * until the next read. grpc-js has a FileWatcherCertificateProvider too, but
 * it hands on whatever it read, matching or not.
 */
export class CertificateFiles implements experimental.CertificateProvider {
  private current: Loaded;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private timer?: NodeJS.Timeout;
  private lastRejected?: string;

  /** Reads and checks the files now: a service with unusable certificates does not start. */
  constructor(readonly paths: CertificatePaths, private readonly reloadMs: number, public logger?: Logger) {
    this.current = CertificateFiles.load(paths);
  }

  /** The files' contents if they make a usable set, else an error saying why. */
  static load(paths: CertificatePaths): Loaded {
    const loaded = { cert: fs.readFileSync(paths.cert), key: fs.readFileSync(paths.key), ca: fs.readFileSync(paths.ca) };
    const cert = new crypto.X509Certificate(loaded.cert);
    if (!cert.checkPrivateKey(crypto.createPrivateKey(loaded.key))) {
      throw new Error(`${paths.key} is not the key of ${paths.cert}`);
    }
    // Throws on a malformed CA bundle.
    tls.createSecureContext({ cert: loaded.cert, key: loaded.key, ca: loaded.ca });
    return loaded;
  }

  /** The SHA-256 fingerprint of the certificate in use, for logs and tests. */
  get fingerprint(): string {
    return new crypto.X509Certificate(this.current.cert).fingerprint256;
  }

  /** Reads the files again; true when they changed and were taken. */
  reload(): boolean {
    let next: Loaded;
    try {
      next = CertificateFiles.load(this.paths);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      // Once per distinct problem: a rotation half done is seen on one read, a broken file on every one.
      if (why !== this.lastRejected) this.logger?.warn('grpc certificates not reloaded: keeping the previous ones', { error: why });
      this.lastRejected = why;
      return false;
    }
    this.lastRejected = undefined;
    const c = this.current;
    if (next.cert.equals(c.cert) && next.key.equals(c.key) && next.ca.equals(c.ca)) return false;
    this.current = next;
    const x = new crypto.X509Certificate(next.cert);
    this.logger?.info('grpc certificates reloaded', { subject: x.subject, notAfter: x.validTo, fingerprint: x.fingerprint256 });
    for (const l of this.caListeners) l({ caCertificate: next.ca });
    for (const l of this.identityListeners) l({ certificate: next.cert, privateKey: next.key });
    return true;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    this.watch();
    // Later, not now: grpc-js's server registers its own watcher only after
    // adding this listener, and would miss an answer given synchronously.
    process.nextTick(() => { if (this.caListeners.has(listener)) listener({ caCertificate: this.current.ca }); });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
    this.unwatchIfUnused();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    this.watch();
    process.nextTick(() => { if (this.identityListeners.has(listener)) listener({ certificate: this.current.cert, privateKey: this.current.key }); });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
    this.unwatchIfUnused();
  }

  private watch(): void {
    if (this.timer || this.reloadMs <= 0) return;
    // Polling, not fs.watch: a Kubernetes Secret volume swaps a symlinked
    // directory, which inotify on the files does not see.
    this.timer = setInterval(() => this.reload(), this.reloadMs);
    // A server or a live channel keeps the process alive, not this timer.
    this.timer.unref();
  }

  private unwatchIfUnused(): void {
    if (this.caListeners.size > 0 || this.identityListeners.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
