import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { Launcher, apiEndpoints } from './launcher';
import { APP_DIRS, COMPONENTS, Component, LauncherOptions } from './options';
import { readPidFileSync } from '@berth/host';
import { pidFilePath } from './pidfiles';

/**
 * Fake components: each serves what the launcher waits for (gRPC health, or
 * /_ping for the gateway), records its environment, and appends its name to
 * `order` when asked to stop. `control.json` can make one crash at start.
 */
function fakeService(root: string, name: Component): string {
  const grpc = JSON.stringify(require.resolve('@grpc/grpc-js'));
  const proto = JSON.stringify(require.resolve('@berth/proto'));
  const common = `
    const fs = require('fs');
    const root = ${JSON.stringify(root)};
    const name = ${JSON.stringify(name)};
    const control = JSON.parse(fs.readFileSync(root + '/control.json', 'utf8'));
    if ((control.crash || []).includes(name)) { console.error('fake crash'); process.exit(7); }
    fs.writeFileSync(root + '/env-' + name + '.json', JSON.stringify(process.env));
    let close = () => {};
    process.on('SIGTERM', () => { fs.appendFileSync(root + '/order', name + '\\n'); close(); process.exit(0); });
  `;
  if (name === 'gateway') {
    return common + `
      const http = require('http');
      const server = http.createServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : 'no'));
      try { fs.rmSync(process.env.BERTH_SOCKET, { force: true }); } catch {}
      server.listen(process.env.BERTH_SOCKET);
      close = () => server.close();
    `;
  }
  return common + `
    const grpc = require(${grpc});
    const { health } = require(${proto});
    const server = new grpc.Server();
    server.addService(health.HealthService, { check: (_c, cb) => cb(null, { status: 1 }) });
    const address = process.env['BERTH_' + name.toUpperCase() + '_ADDR'];
    try { fs.rmSync(address.replace(/^unix:/, ''), { force: true }); } catch {}
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => { if (err) throw err; });
    close = () => server.forceShutdown();
  `;
}

interface Fixture {
  root: string;
  launcher: Launcher;
  order(): string[];
  cleanup(): Promise<void>;
}

function setUp(opts: Partial<LauncherOptions> = {}, crash: Component[] = []): Fixture {
  const root = fs.mkdtempSync('/tmp/lt-');
  const appsDir = path.join(root, 'apps');
  for (const c of COMPONENTS) {
    fs.mkdirSync(path.join(appsDir, APP_DIRS[c], 'dist'), { recursive: true });
    fs.writeFileSync(path.join(appsDir, APP_DIRS[c], 'dist', 'main.js'), fakeService(root, c));
  }
  fs.writeFileSync(path.join(root, 'control.json'), JSON.stringify({ crash }));
  const config = loadConfig({
    BERTH_DATA_ROOT: path.join(root, 'data'),
    BERTH_RUN_ROOT: path.join(root, 'run'),
    // Set, so the launcher does not start a redis-server of its own here.
    REDIS_URL: 'redis://127.0.0.1:1',
    BERTH_TCP: 'off',
  });
  const launcher = new Launcher({
    config,
    options: {
      components: [...COMPONENTS], keepGoing: false, exitWithStdin: false,
      startTimeoutMs: 15_000, stopTimeoutMs: 3000, redisBinary: 'redis-server', ...opts,
    },
    logger: createLogger('launcher-test', 'error'),
    appsDir,
    sink: () => {},
  });
  return {
    root,
    launcher,
    order: () => (fs.existsSync(path.join(root, 'order')) ? fs.readFileSync(path.join(root, 'order'), 'utf8').trim().split('\n') : []),
    cleanup: async () => {
      await launcher.shutdown(0);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

test('starts every service, hands them explicit addresses, stops gateway first', async () => {
  const f = setUp();
  try {
    const endpoints = await f.launcher.start();
    assert.deepEqual(endpoints, [`unix://${path.join(f.root, 'run', 'berth.sock')}`]);
    const env = JSON.parse(fs.readFileSync(path.join(f.root, 'env-container.json'), 'utf8')) as Record<string, string>;
    assert.equal(env.BERTH_RUN_ROOT, path.join(f.root, 'run'));
    assert.equal(env.REDIS_URL, 'redis://127.0.0.1:1');
    assert.equal(env.BERTH_VOLUME_ADDR, `unix:${path.join(f.root, 'run', 'volume.sock')}`);
    for (const c of COMPONENTS) assert.ok(readPidFileSync(pidFilePath(path.join(f.root, 'run'), c)), `${c} has a pid file`);

    assert.equal(await f.launcher.shutdown(0), 0);
    const order = f.order();
    assert.equal(order[0], 'gateway');
    assert.deepEqual(order.slice(1, 3).sort(), ['container', 'image']);
    assert.deepEqual(order.slice(3).sort(), ['network', 'volume']);
    assert.deepEqual(fs.readdirSync(path.join(f.root, 'run', 'pids')), []);
  } finally {
    await f.cleanup();
  }
});

test('a service that dies before it is healthy fails the start', async () => {
  const f = setUp({}, ['network']);
  try {
    await assert.rejects(f.launcher.start(), /network exited with code 7 before it was ready/);
  } finally {
    await f.cleanup();
  }
});

test('a service dying later stops everything with a non-zero code', async () => {
  const f = setUp();
  try {
    await f.launcher.start();
    process.kill(readPidFileSync(pidFilePath(path.join(f.root, 'run'), 'volume'))!, 'SIGKILL');
    assert.equal(await f.launcher.finished, 1);
    assert.ok(f.order().includes('gateway'));
  } finally {
    await f.cleanup();
  }
});

test('with keepGoing, a dead service is logged and the rest keep running', async () => {
  const f = setUp({ keepGoing: true });
  try {
    await f.launcher.start();
    process.kill(readPidFileSync(pidFilePath(path.join(f.root, 'run'), 'volume'))!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.launcher.shuttingDown, false);
    assert.equal(readPidFileSync(pidFilePath(path.join(f.root, 'run'), 'volume')), undefined);
    assert.equal(await f.launcher.shutdown(0), 0);
    assert.deepEqual(f.order().sort(), ['container', 'gateway', 'image', 'network']);
  } finally {
    await f.cleanup();
  }
});

test('only the listed components start', async () => {
  const f = setUp({ components: ['volume', 'image'] });
  try {
    assert.deepEqual(await f.launcher.start(), []);
    await f.launcher.shutdown(0);
    assert.deepEqual(f.order().sort(), ['image', 'volume']);
  } finally {
    await f.cleanup();
  }
});

test('a missing build is reported before anything starts', async () => {
  const f = setUp();
  try {
    fs.rmSync(path.join(f.root, 'apps', 'gateway', 'dist', 'main.js'));
    await assert.rejects(f.launcher.start(), /not built: .*gateway\/dist\/main.js/);
  } finally {
    await f.cleanup();
  }
});

test('the ready line names the unix socket only, unless TCP is configured, and says how TCP is protected', () => {
  const base = { BERTH_RUN_ROOT: '/r' };
  assert.deepEqual(apiEndpoints(loadConfig(base)), ['unix:///r/berth.sock']);
  assert.deepEqual(apiEndpoints(loadConfig({ ...base, BERTH_TCP: '127.0.0.1:2375', BERTH_TCP_INSECURE: '1' })), ['unix:///r/berth.sock', 'tcp://127.0.0.1:2375 (plain, insecure)']);
  assert.deepEqual(
    apiEndpoints(loadConfig({ ...base, BERTH_SOCKET: '', BERTH_TCP: '0.0.0.0:2376', BERTH_TLS_CERT: 'c', BERTH_TLS_KEY: 'k', BERTH_TLS_CA: 'ca' })),
    ['tcp://0.0.0.0:2376 (TLS, client certificates)'],
  );
});
