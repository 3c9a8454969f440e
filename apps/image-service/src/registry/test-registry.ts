// Test support: a real distribution registry (Debian's docker-registry) on a
// loopback port, and small generated images. Not used by the service itself.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  domain: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function bcryptHash(password: string): string {
  // bcryptjs is a devDependency; required lazily so the service never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bcrypt = require('bcryptjs') as { hashSync(s: string, rounds: number): string };
  return bcrypt.hashSync(password, 4);
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid) process.kill(child.pid, 'SIGKILL');
});

/** Starts docker-registry with filesystem storage in a temp dir; `htpasswd` turns on basic auth. */
export async function startRegistry(opts: { htpasswd?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-test-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (opts.htpasswd) {
    const file = path.join(dir, 'htpasswd');
    fs.writeFileSync(file, `${opts.htpasswd.username}:${bcryptHash(opts.htpasswd.password)}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  }
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, lines.join('\n') + '\n');
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      const t = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    running.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    }
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on 127.0.0.1:${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { domain: `127.0.0.1:${port}`, port, pid: child.pid!, stop };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v2/', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });
}

// ---- generated images -----------------------------------------------------

export function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** A one-file ustar archive. */
export function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  header.write('00000000000\0', 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

export interface Blob {
  descriptor: { mediaType: string; digest: string; size: number };
  data: Buffer;
}

export interface TestImage {
  config: Blob;
  layers: Blob[];
  manifest: Buffer;
  manifestMediaType: string;
  manifestDigest: string;
}

/** Config + 2 gzip layers + a schema2 (or OCI) manifest, unique per `seed`. */
export function makeImage(seed: string, opts: { oci?: boolean; architecture?: string; variant?: string } = {}): TestImage {
  const oci = !!opts.oci;
  const tars = [tarOf('hello.txt', Buffer.from(`hello ${seed}\n`)), tarOf('world.txt', Buffer.from(`world ${seed}\n`.repeat(1000)))];
  const layerType = oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const layers: Blob[] = tars.map((t) => {
    const gz = gzipSync(t);
    return { descriptor: { mediaType: layerType, digest: sha256(gz), size: gz.length }, data: gz };
  });
  const configJson = Buffer.from(
    JSON.stringify({
      architecture: opts.architecture ?? 'amd64',
      ...(opts.variant ? { variant: opts.variant } : {}),
      os: 'linux',
      config: { Cmd: ['/hello'], Env: [`SEED=${seed}`] },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
      history: [{ created_by: 'test' }, { created_by: 'test' }],
    }),
  );
  const configType = oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json';
  const config: Blob = { descriptor: { mediaType: configType, digest: sha256(configJson), size: configJson.length }, data: configJson };
  const manifestMediaType = oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify(
      { schemaVersion: 2, mediaType: manifestMediaType, config: config.descriptor, layers: layers.map((l) => l.descriptor) },
      null,
      3,
    ),
  );
  return { config, layers, manifest, manifestMediaType, manifestDigest: sha256(manifest) };
}
