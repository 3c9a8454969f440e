import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { Berth, HostWatch, startBerth, startBerthWithBusybox, watchHost, sharedScratch, freePort, dockerOk, DOCKER_BIN } from '../index';

/**
 * Issue 9, "Security": who can reach the Engine API at all. Every test here
 * performs the attack of the review and fails if it succeeds.
 */

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const BODY_TIMEOUT_S = 3;
const MAX_CONNECTIONS = 60;

let berth: Berth;
let watch: HostWatch;

before(async () => {
  berth = await startBerthWithBusybox({
    env: { BERTH_BODY_TIMEOUT: String(BODY_TIMEOUT_S), BERTH_MAX_CONNECTIONS: String(MAX_CONNECTIONS) },
  });
  // mkdtemp made the temp root 0700, which alone would keep nobody out; open
  // it like /run so only the modes of Berth's own directories and sockets count.
  fs.chmodSync(berth.root, 0o755);
  // The machine is shared with other test runs that make their own files in
  // /tmp; the attacks here that would write there name it berth-pwned-*.
  watch = watchHost(berth, { allow: sharedScratch });
});

after(async () => {
  if (berth && watch) {
    const changes = await watch.settledChanges();
    console.log(`RSS growth (MB): ${Object.entries(changes.rssGrowth).map(([n, g]) => `${n} ${((g ?? 0) / 1048576).toFixed(1)}`).join(', ')}`);
    await berth.stop();
    assert.deepEqual(changes.newEntries, [], 'nothing new on the host');
    assert.deepEqual(changes.newMounts, [], 'no new mounts on the host');
    for (const [name, growth] of Object.entries(changes.rssGrowth)) {
      assert.ok((growth ?? 0) <= 50 * 1024 * 1024, `${name} grew by ${Math.round((growth ?? 0) / 1048576)} MB`);
    }
  } else {
    await berth?.stop();
  }
});

/** Runs a small Node program as user nobody with no supplementary groups. */
function asNobody(script: string, args: string[] = [], timeoutMs = 20_000): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync('setpriv', [...NOBODY, process.execPath, '-e', script, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: '/' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** What nobody gets from one HTTP request to a unix socket path or host:port: the status line, or the error code. */
const PROBE = `
const net = require('net');
const target = process.argv[1];
const m = /^(.*):(\\d+)$/.exec(target);
const s = m && !target.startsWith('/') ? net.connect(Number(m[2]), m[1]) : net.connect(target);
let out = '';
s.setTimeout(5000, () => { console.log('timeout ' + JSON.stringify(out)); process.exit(0); });
s.on('connect', () => s.write('GET /_ping HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n'));
s.on('data', (d) => { out += d.toString('latin1'); });
s.on('end', () => { console.log('answered ' + JSON.stringify(out.split('\\r\\n')[0])); process.exit(0); });
s.on('error', (e) => { console.log('refused ' + e.code); process.exit(0); });
`;

function socketsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSocket()) out.push(p);
    else if (entry.isDirectory() && !entry.isSymbolicLink()) {
      try { out.push(...socketsUnder(p)); } catch { /* gone meanwhile */ }
    }
  }
  return out;
}

/** `host:port` of every TCP socket listening in a process (its fds matched against /proc/<pid>/net/tcp{,6}). */
function tcpListenersOf(pid: number): string[] {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try { text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      const [hexAddr, hexPort] = f[1].split(':');
      const port = parseInt(hexPort, 16);
      let host: string;
      if (hexAddr.length === 8) host = [3, 2, 1, 0].map((i) => parseInt(hexAddr.slice(i * 2, i * 2 + 2), 16)).join('.');
      else host = hexAddr === '00000000000000000000000000000000' ? '::' : hexAddr === '00000000000000000000000001000000' ? '::1' : 'ipv6';
      // A wildcard listener is reached through loopback.
      const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === 'ipv6' ? '::1' : host;
      out.push(`${reach}:${port}`);
    }
  }
  return out;
}

function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** One raw exchange on a socket: everything the server sent until `done` or it closed. */
function raw(target: { path: string } | { port: number; host?: string }, request: string | Buffer, done: (data: string) => boolean = () => false, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host ?? '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no end in ${timeoutMs}ms; got ${JSON.stringify(data)}`)); }, timeoutMs);
    const finish = () => { clearTimeout(timer); s.destroy(); resolve(data); };
    s.on('connect', () => s.write(request));
    s.on('data', (d: Buffer) => { data += d.toString('latin1'); if (done(data)) finish(); });
    s.on('end', finish);
    s.on('close', finish);
    s.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

const complete = (d: string): boolean => {
  const end = d.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const len = /\r\ncontent-length: (\d+)/i.exec(d.slice(0, end));
  return len ? d.length >= end + 4 + Number(len[1]) : false;
};

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
}

function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

const gatewayPid = (): number => {
  const pid = berth.pids().gateway;
  assert.ok(pid, 'the gateway runs');
  return pid;
};

describe('a fresh start: nothing of the engine is reachable for user nobody', () => {
  test('the ready line names only the unix socket, and no Berth process listens on TCP', () => {
    const ready = /Berth is ready: (.*)/.exec(berth.logs());
    assert.ok(ready, 'ready line logged');
    assert.equal(ready[1].trim(), `unix://${berth.socketPath}`);
    const pids = Object.entries(berth.pids()).filter(([, pid]) => pid !== undefined) as [string, number][];
    const listening = pids.flatMap(([name, pid]) => tcpListenersOf(pid).map((a) => `${name} ${a}`));
    // Whatever listens, nobody must not get an answer from it.
    for (const entry of listening) {
      const res = asNobody(PROBE, [entry.split(' ')[1]]);
      assert.doesNotMatch(res.stdout, /^answered "HTTP\/1\.1 200/, `${entry} answered nobody`);
    }
    assert.deepEqual(listening, [], 'no TCP listener on a fresh start');
  });

  test('every unix socket under the run root refuses nobody', () => {
    const sockets = socketsUnder(berth.runRoot);
    assert.ok(sockets.includes(berth.socketPath), `the gateway socket is among ${sockets.join(', ')}`);
    assert.ok(sockets.some((s) => /redis/.test(s)), `the private redis socket is among ${sockets.join(', ')}`);
    const answered: string[] = [];
    for (const sock of sockets) {
      const res = asNobody(PROBE, [sock]);
      assert.equal(res.code, 0, res.stderr);
      if (!/^refused EACCES/.test(res.stdout.trim())) answered.push(`${path.relative(berth.runRoot, sock)}: ${res.stdout.trim()}`);
    }
    assert.deepEqual(answered, [], 'every socket refuses nobody with EACCES');
  });

  test('the docker CLI run as nobody cannot use the gateway socket', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-nobody-'));
    try {
      fs.chmodSync(home, 0o777);
      const res = spawnSync('setpriv', [...NOBODY, DOCKER_BIN, '-H', `unix://${berth.socketPath}`, 'run', '--rm', '-v', '/:/host', 'busybox', 'touch', '/host/tmp/berth-pwned-by-nobody'], {
        encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: home, DOCKER_CONFIG: home },
      });
      assert.notEqual(res.status, 0, `docker run as nobody succeeded: ${res.stdout}`);
      assert.match(res.stderr, /permission denied/i);
      assert.equal(fs.existsSync('/tmp/berth-pwned-by-nobody'), false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test('socket, run root, data root, redis and pid files have the modes of dockerd\'s', () => {
    const mode = (p: string) => fs.statSync(p).mode & 0o7777;
    const gw = fs.statSync(berth.socketPath);
    assert.equal(gw.mode & 0o777, 0o660, 'gateway socket 660');
    assert.equal(gw.uid, 0, 'gateway socket owned by root');
    const docker = spawnSync('getent', ['group', 'docker'], { encoding: 'utf8' });
    const gid = docker.status === 0 ? Number(docker.stdout.split(':')[2]) : 0;
    assert.equal(gw.gid, gid, 'gateway socket group: docker when it exists, else root');
    assert.equal(mode(berth.runRoot), 0o711, 'run root 0711');
    assert.equal(mode(berth.dataRoot), 0o711, 'data root 0711');
    const redis = socketsUnder(berth.runRoot).find((s) => /redis/.test(s))!;
    assert.equal(mode(redis) & 0o077, 0, `redis socket ${redis} is the owner's only (${mode(redis).toString(8)})`);
    assert.equal(mode(path.dirname(redis)) & 0o077, 0, `redis socket directory ${path.dirname(redis)} is the owner's only`);
    const pids = path.join(berth.runRoot, 'pids');
    assert.equal(mode(pids) & 0o022, 0, 'pid directory not writable by others');
    // Nothing below the run root is writable by group or others.
    const writable: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isSymbolicLink()) continue;
        const m = fs.lstatSync(p).mode & 0o777;
        if (!e.isSocket() && (m & 0o022) !== 0) writable.push(`${p} ${m.toString(8)}`);
        if (e.isDirectory()) walk(p);
      }
    };
    walk(berth.runRoot);
    assert.deepEqual(writable, []);
  });
});

describe('browsers: Origin and Host', () => {
  test('a cross-origin text/plain POST /volumes/prune is refused and the volume survives', async () => {
    await dockerOk(berth, ['volume', 'create', 'sec-survivor']);
    const res = await berth.request('POST', `/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}`, 'x', {
      'Content-Type': 'text/plain', Origin: 'http://evil.example',
    });
    assert.equal(res.status, 403, res.body);
    assert.match(res.json<{ message: string }>().message, /origin/i);
    const ls = await dockerOk(berth, ['volume', 'ls', '-q']);
    assert.match(ls, /^sec-survivor$/m);
    await dockerOk(berth, ['volume', 'rm', 'sec-survivor']);
  });

  test('a websocket attach from a web page is refused too', async () => {
    const res = await raw({ path: berth.socketPath },
      'GET /containers/x/attach/ws?stream=1 HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', complete);
    assert.equal(statusOf(res), 403, res);
  });

  test('the unix socket accepts whatever Host clients send', async () => {
    for (const host of ['docker', 'localhost', 'api.moby.localhost', 'evil.example:80']) {
      const res = await raw({ path: berth.socketPath }, `GET /_ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, complete);
      assert.equal(statusOf(res), 200, `Host ${host}: ${res}`);
    }
    for (const request of ['GET /_ping HTTP/1.0\r\n\r\n', 'GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n']) {
      const res = await raw({ path: berth.socketPath }, request, complete);
      assert.equal(statusOf(res), 200, `${JSON.stringify(request)}: ${res}`);
    }
  });
});

describe('a configured TCP listener: CORS origins and DNS rebinding', () => {
  let tcp: Berth;
  let port: number;
  before(async () => {
    tcp = await startBerth({ tcp: true, env: { BERTH_API_CORS_ORIGINS: 'http://good.example', BERTH_TCP_HOSTS: 'berth.example' } });
    port = Number(tcp.tcpAddress.split(':')[1]);
  });
  after(async () => { await tcp?.stop(); });

  test('the ready line names the TCP listener it was asked for', () => {
    assert.match(tcp.logs(), new RegExp(`Berth is ready: .*tcp://${tcp.tcpAddress.replace(/\./g, '\\.')}`));
    assert.match(tcp.logs(), /insecure/i, 'plain TCP warns at start');
  });

  test('a rebinding Host is refused, the listener\'s own names work', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.2:${port}`]) {
      const res = await raw({ port }, `GET /version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, complete);
      assert.equal(statusOf(res), 403, `Host ${host}: ${res}`);
      assert.match(JSON.parse(bodyOf(res)).message, /host/i);
    }
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'localhost', `berth.example:${port}`]) {
      const res = await raw({ port }, `GET /version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, complete);
      assert.equal(statusOf(res), 200, `Host ${host}: ${res}`);
    }
    const cli = await tcp.docker(['-H', `tcp://${tcp.tcpAddress}`, 'version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(cli.code, 0, cli.stderr);
  });

  test('a listed origin may prune; a preflight is answered with the CORS headers', async () => {
    await dockerOk(tcp, ['volume', 'create', 'sec-cors']);
    const evil = await raw({ port }, `POST /volumes/prune HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`, complete);
    assert.equal(statusOf(evil), 403, evil);
    const preflight = await raw({ port }, `OPTIONS /volumes/prune HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://good.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n`, complete);
    assert.equal(statusOf(preflight), 200, preflight);
    assert.match(preflight, /\r\nAccess-Control-Allow-Origin: http:\/\/good\.example\r\n/i);
    assert.match(preflight, /\r\nAccess-Control-Allow-Methods: [^\r]*POST/i);
    const filters = encodeURIComponent('{"all":["true"]}');
    const good = await raw({ port }, `POST /volumes/prune?filters=${filters} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://good.example\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`, complete);
    assert.equal(statusOf(good), 200, good);
    assert.match(good, /\r\nAccess-Control-Allow-Origin: http:\/\/good\.example\r\n/i);
    assert.match(bodyOf(good), /sec-cors/);
    const ls = await dockerOk(tcp, ['volume', 'ls', '-q']);
    assert.doesNotMatch(ls, /sec-cors/);
  });
});

describe('slow clients', () => {
  test('half-sent bodies and heads are cut after the body timeout; the fds come back', async (t) => {
    const pid = gatewayPid();
    const before = fdCount(pid);
    const sockets: net.Socket[] = [];
    const closed: Promise<number>[] = [];
    const started = Date.now();
    for (let i = 0; i < 50; i++) {
      const s = net.connect(berth.socketPath);
      s.on('error', () => undefined);
      closed.push(new Promise((resolve) => s.once('close', () => resolve(Date.now() - started))));
      s.on('connect', () => s.write(i % 5 === 0
        ? 'GET /version HTTP/1.1\r\nHost: docker\r\nX-Slow: '
        : 'POST /volumes/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Na'));
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const held = fdCount(pid);
    assert.ok(held >= before + 40, 'the gateway holds the connections for now');
    const deadline = new Promise<'held'>((r) => setTimeout(() => r('held'), (BODY_TIMEOUT_S + 35) * 1000));
    const result = await Promise.race([Promise.all(closed), deadline]);
    for (const s of sockets) s.destroy();
    assert.notEqual(result, 'held', 'the gateway still held half-sent requests');
    await new Promise((r) => setTimeout(r, 500));
    const last = Math.max(...(await Promise.all(closed)));
    t.diagnostic(`gateway fds: ${before} before, ${held} while held, ${fdCount(pid)} after; the last one closed after ${last} ms`);
    assert.ok(fdCount(pid) <= before + 5, `fds back near ${before}: ${fdCount(pid)}`);
  });

  test('an upload that keeps making progress is not cut, however long it takes', async () => {
    const body = Buffer.from(JSON.stringify({ Name: 'sec-slow-upload', Labels: { pad: 'x'.repeat(40) } }));
    const s = net.connect(berth.socketPath);
    let data = '';
    s.on('data', (d: Buffer) => { data += d.toString('latin1'); });
    await new Promise<void>((r) => s.on('connect', () => r()));
    s.write(`POST /volumes/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    const pieces = 4;
    const step = Math.ceil(body.length / pieces);
    // (BODY_TIMEOUT_S - 1) s between pieces: more than the timeout in all, never idle that long.
    for (let i = 0; i < pieces; i++) {
      await new Promise((r) => setTimeout(r, (BODY_TIMEOUT_S - 1) * 1000));
      assert.equal(s.destroyed, false, `cut after ${i} pieces`);
      s.write(body.subarray(i * step, (i + 1) * step));
    }
    await new Promise<void>((r) => { s.on('close', () => r()); setTimeout(r, 10_000); });
    assert.equal(statusOf(data), 201, data);
    await dockerOk(berth, ['volume', 'rm', 'sec-slow-upload']);
  });

  test('a big archive (docker cp, 16 MiB) goes in and comes out whole', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sec-cp-'));
    try {
      const file = path.join(dir, 'big.bin');
      fs.writeFileSync(file, Buffer.alloc(16 * 1024 * 1024, 7));
      await dockerOk(berth, ['create', '--name', 'sec-cp', 'busybox', 'true']);
      const started = Date.now();
      await dockerOk(berth, ['cp', file, 'sec-cp:/big.bin']);
      t.diagnostic(`docker cp of 16 MiB took ${Date.now() - started} ms (body timeout ${BODY_TIMEOUT_S} s)`);
      const back = path.join(dir, 'back.bin');
      await dockerOk(berth, ['cp', 'sec-cp:/big.bin', back]);
      assert.equal(fs.statSync(back).size, 16 * 1024 * 1024);
    } finally {
      await berth.docker(['rm', '-f', 'sec-cp']);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('streams (events, logs -f, wait) and hijacked attach outlive the timeout', async () => {
    await dockerOk(berth, ['run', '-d', '--name', 'sec-quiet', 'busybox', 'sh', '-c', 'echo hi; sleep 300']);
    const events = berth.spawnDocker(['events', '--filter', 'type=volume']);
    const logs = berth.spawnDocker(['logs', '-f', 'sec-quiet']);
    const attach = berth.spawnDocker(['attach', 'sec-quiet']);
    const wait = berth.spawnDocker(['wait', 'sec-quiet']);
    const exited: string[] = [];
    for (const [name, p] of [['events', events], ['logs', logs], ['attach', attach], ['wait', wait]] as const) p.once('exit', () => exited.push(name));
    await new Promise((r) => setTimeout(r, (BODY_TIMEOUT_S * 3 + 2) * 1000));
    assert.deepEqual(exited, [], 'no stream was cut by the timeouts');
    await dockerOk(berth, ['volume', 'create', 'sec-event']);
    await dockerOk(berth, ['rm', '-f', 'sec-quiet']);
    await dockerOk(berth, ['volume', 'rm', 'sec-event']);
    for (const p of [events, logs, attach, wait]) p.kill('SIGKILL');
  });

  test('past the connection limit a client is told so and the connection closed', async () => {
    const holders: net.Socket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS + 5; i++) {
      const s = net.connect(berth.socketPath);
      s.on('error', () => undefined);
      s.on('connect', () => s.write('GET /version HTTP/1.1\r\nHost: docker\r\n'));
      holders.push(s);
    }
    await new Promise((r) => setTimeout(r, 500));
    try {
      const res = await raw({ path: berth.socketPath }, 'GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n', () => false, 10_000);
      assert.equal(statusOf(res), 503, res);
      assert.match(JSON.parse(bodyOf(res)).message, /too many connections/i);
      const cli = await berth.docker(['version', '--format', '{{.Server.APIVersion}}']);
      assert.notEqual(cli.code, 0, 'the CLI is refused too');
      assert.match(cli.stderr, /too many connections/i);
    } finally {
      for (const s of holders) s.destroy();
    }
    await new Promise((r) => setTimeout(r, 500));
    const ping = await berth.request('GET', '/_ping');
    assert.equal(ping.status, 200, 'served again once the others are gone');
  });
});

describe('upgrades', () => {
  test('Connection: Upgrade on GET /version is answered as an ordinary request', async () => {
    const res = await raw({ path: berth.socketPath }, 'GET /version HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', complete);
    assert.equal(statusOf(res), 200, res);
    assert.equal(JSON.parse(bodyOf(res)).ApiVersion, '1.50');
  });

  test('/attach/ws answers 400 to an invalid Sec-WebSocket-Key or version, 101 to a valid one', async () => {
    await dockerOk(berth, ['run', '-d', '--name', 'sec-ws', 'busybox', 'sleep', '300']);
    const handshake = (key: string, version: string) => 'GET /v1.45/containers/sec-ws/attach/ws?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n' +
      `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n\r\n`;
    try {
      for (const [key, version] of [['not-a-key', '13'], ['dGhlIHNhbXBsZSBub25jZQ', '13'], ['dGhlIHNhbXBsZSBub25jZQ==', '99'], ['dGhlIHNhbXBsZSBub25jZQ==', '']]) {
        const res = await raw({ path: berth.socketPath }, handshake(key, version), (d) => d.includes('\r\n\r\n') && (statusOf(d) === 101 || complete(d)));
        assert.equal(statusOf(res), 400, `key ${key} version ${version}: ${res}`);
      }
      const ok = await raw({ path: berth.socketPath }, handshake('dGhlIHNhbXBsZSBub25jZQ==', '13'), (d) => d.includes('\r\n\r\n'));
      assert.equal(statusOf(ok), 101, ok);
    } finally {
      await dockerOk(berth, ['rm', '-f', 'sec-ws']);
    }
  });
});

describe('TCP settings that would expose the engine are refused at start', () => {
  let certs: string;
  before(() => {
    certs = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sec-certs-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: certs, stdio: 'pipe' });
  });
  after(() => { if (certs) fs.rmSync(certs, { recursive: true, force: true }); });

  /** Starts a lone gateway; resolves with its exit and stderr, or 'running' if it still runs after a while (then stops it). */
  function startGateway(env: Record<string, string>): Promise<{ code: number | null; stderr: string } | 'running'> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.resolve(__dirname, '../../../../apps/gateway/dist/main.js')], {
        env: { ...berth.env, BERTH_SOCKET: '', BERTH_TLS_CERT: '', BERTH_TLS_KEY: '', BERTH_TLS_CA: '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('running'); }, 20_000);
      child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
    });
  }

  test('plain TCP, even on loopback, needs the insecure switch', async () => {
    const port = await freePort();
    const res = await startGateway({ BERTH_TCP: `127.0.0.1:${port}` });
    assert.notEqual(res, 'running', 'the gateway served plain TCP without BERTH_TCP_INSECURE');
    if (res === 'running') return;
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /plain TCP.*BERTH_TCP_INSECURE=1/s);
  });

  test('TLS without a client CA on a non-loopback address is refused unless allowed', async () => {
    const res = await startGateway({ BERTH_TCP: '0.0.0.0:0', BERTH_TLS_CERT: path.join(certs, 'cert.pem'), BERTH_TLS_KEY: path.join(certs, 'key.pem') });
    assert.notEqual(res, 'running', 'the gateway served TLS to any client on 0.0.0.0');
    if (res === 'running') return;
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /BERTH_TLS_CA/);
  });
});
