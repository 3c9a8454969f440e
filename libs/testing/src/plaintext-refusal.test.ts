import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The real programs, as a deployment starts them: a gRPC service given a TCP
// address without BERTH_GRPC_TLS_* (and without BERTH_GRPC_INSECURE=1)
// exits saying why instead of listening; the gateway will not call one
// there either. Nothing is listening on those ports: the refusal comes first.

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const APPS = { volume: 'volume-service', image: 'image-service', container: 'container-service', network: 'network-service', gateway: 'gateway' };

function run(app: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const main = path.join(repoRoot, 'apps', app, 'dist', 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

test('a service on a TCP address without TLS refuses to start; so does a gateway calling one', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-refusal-'));
  try {
    const base = {
      BERTH_DATA_ROOT: path.join(root, 'data'),
      BERTH_RUN_ROOT: path.join(root, 'run'),
      // Never reached: the refusal comes before any connection.
      REDIS_URL: `unix://${path.join(root, 'no-redis.sock')}`,
      BERTH_SOCKET: path.join(root, 'run', 'berth.sock'),
      BERTH_TCP: 'off',
      BERTH_VOLUME_ADDR: '127.0.0.1:1',
      BERTH_IMAGE_ADDR: '127.0.0.1:2',
      BERTH_CONTAINER_ADDR: '127.0.0.1:3',
      BERTH_NETWORK_ADDR: '127.0.0.1:4',
    };
    for (const name of ['volume', 'network'] as const) {
      const res = await run(APPS[name], base);
      assert.equal(res.code, 1, `${name}: ${res.stderr}`);
      assert.match(res.stderr, /refusing to listen on 127\.0\.0\.1:\d without TLS/, name);
    }
    const gw = await run(APPS.gateway, base);
    assert.notEqual(gw.code, 0, gw.stderr);
    assert.match(gw.stderr, /refusing to call 127\.0\.0\.1:\d without TLS/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
