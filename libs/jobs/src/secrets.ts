import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Registry credentials must not rest in Redis (its append-only file keeps
 * every job payload ever written), so the gateway seals them for the worker:
 * AES-256-GCM under a key only the gateway and image-service hold, bound to
 * the job's id and expiring. The same key, through HKDF, gives the keyed
 * hash that tells one client's credentials from another's in job ids
 * without revealing them (an unkeyed hash of a password can be guessed
 * offline).
 */

/** A sealed envelope is opened at most this long after it was sealed. */
export const SEAL_TTL_MS = 30 * 60_000;

/** The account of a job whose client sent no credentials. */
export const ANONYMOUS = 'anon';

const SEAL_FORMAT = 'b1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {}

/** Where the shared key lives: `BERTH_JOB_KEY_FILE`, else `<run-root>/job.key`. */
export function jobKeyFileOf(runRoot: string, env: Record<string, string | undefined> = process.env): string {
  const configured = env.BERTH_JOB_KEY_FILE;
  return configured ? path.resolve(configured) : path.join(runRoot, 'job.key');
}

/**
 * Reads the key file, creating it (32 random bytes, mode 0600) when it is
 * missing. Gateway and image-service may start together: the file is
 * written under a private name and linked into place, so a reader never
 * sees it half-written and the first link wins.
 */
export function loadOrCreateJobKey(file: string): Buffer {
  try {
    return readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`;
  fs.writeFileSync(tmp, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readKey(file);
}

// Symlinks are followed: a Kubernetes secret's file is one. What it points at must be a private regular file.
function readKey(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`job key ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) throw new Error(`job key ${file} must be readable by its owner only (mode 0600), it is ${(st.mode & 0o777).toString(8)}`);
    const key = fs.readFileSync(fd);
    if (key.length < 32) throw new Error(`job key ${file} holds ${key.length} bytes, at least 32 are needed`);
    return key;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The key file as gateway and workers use it: read once, read again when the
 * file changed (rotated by an operator, or removed and made anew), so both
 * sides follow one key instead of each keeping the one it started with.
 */
/** What tells one version of the key file from another: a rename, a rewrite or a new file all change it. */
function stampOf(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

export class JobKeyFile {
  private loaded?: { stamp: string; secrets: JobSecrets };

  constructor(readonly file: string) {}

  secrets(): JobSecrets {
    let stamp: string | undefined;
    try {
      stamp = stampOf(fs.statSync(this.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (this.loaded && stamp !== undefined && this.loaded.stamp === stamp) return this.loaded.secrets;
    const secrets = new JobSecrets(loadOrCreateJobKey(this.file));
    this.loaded = { stamp: stampOf(fs.statSync(this.file)), secrets };
    return secrets;
  }
}

/** The fields of an X-Registry-Auth header that say who the client is to the registry. */
const CREDENTIAL_FIELDS = ['username', 'password', 'auth', 'identitytoken', 'registrytoken'] as const;

/** Decodes an X-Registry-Auth header (base64url or base64 JSON); undefined when it is not one. */
export function decodeAuthHeader(header: string): Record<string, unknown> | undefined {
  try {
    const json = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const parsed = JSON.parse(json) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

export class JobSecrets {
  private readonly sealKey: Buffer;
  private readonly identityKey: Buffer;

  constructor(key: Buffer, private readonly now: () => number = Date.now) {
    this.sealKey = Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'berth jobs: sealed registry auth', 32));
    this.identityKey = Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'berth jobs: account of registry auth', 32));
  }

  /**
   * Who the client is to the registry, as a keyed hash (`anon` without
   * credentials): two requests share a job only when this is equal. A
   * header that does not decode is hashed as given, so it never joins
   * another's job.
   */
  account(registryAuth: string | undefined): string {
    if (!registryAuth) return ANONYMOUS;
    const decoded = decodeAuthHeader(registryAuth);
    let canonical: string;
    if (decoded) {
      // Anything the registry client could send counts, whatever its JSON type.
      const fields = CREDENTIAL_FIELDS.map((f) => {
        const v = decoded[f];
        return v === undefined || v === null || v === '' ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      });
      if (fields.every((f) => f === '')) return ANONYMOUS;
      canonical = JSON.stringify(['fields', ...fields]);
    } else {
      canonical = JSON.stringify(['raw', registryAuth]);
    }
    return crypto.createHmac('sha256', this.identityKey).update(canonical).digest('hex').slice(0, 32);
  }

  /** Encrypts `plain` for the holder of the key, for `binding` (the job id) only, until the TTL runs out. */
  seal(plain: string, binding: string, ttlMs = SEAL_TTL_MS): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(`${SEAL_FORMAT}\0${binding}`));
    const body = Buffer.from(JSON.stringify({ exp: this.now() + ttlMs, v: plain }));
    const out = Buffer.concat([iv, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
    return `${SEAL_FORMAT}.${out.toString('base64url')}`;
  }

  /** The plain text of an envelope sealed for `binding`; SealError when tampered with, for another job, or expired. */
  open(sealed: string, binding: string): string {
    const dot = sealed.indexOf('.');
    if (dot < 0 || sealed.slice(0, dot) !== SEAL_FORMAT) throw new SealError('sealed registry credentials: unknown format');
    const raw = Buffer.from(sealed.slice(dot + 1), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed registry credentials: truncated');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${SEAL_FORMAT}\0${binding}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    let body: { exp?: unknown; v?: unknown };
    try {
      body = JSON.parse(Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8')) as typeof body;
    } catch {
      throw new SealError('sealed registry credentials could not be opened: altered, sealed for another job, or under another key (gateway and image-service must share one job key)');
    }
    if (typeof body.exp !== 'number' || typeof body.v !== 'string') throw new SealError('sealed registry credentials: malformed');
    if (this.now() > body.exp) throw new SealError('sealed registry credentials expired: the job waited too long in the queue');
    return body.v;
  }
}
