import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '@berth/config';
import { silentLogger } from '../testing/fake-app';
import { ConnectionLimiter } from './connection-guard';
import { closeListeners, Listener, openListeners } from './listeners';
import { groupId } from './socket-group';
import { UpgradeRouter } from './upgrade';

test('the connection limiter counts up to its maximum; 0 is no limit', () => {
  const l = new ConnectionLimiter(2);
  assert.equal(l.tryAcquire(), true);
  assert.equal(l.tryAcquire(), true);
  assert.equal(l.tryAcquire(), false);
  assert.equal(l.count, 2);
  l.release();
  assert.equal(l.tryAcquire(), true);
  const none = new ConnectionLimiter(0);
  for (let i = 0; i < 100; i++) assert.equal(none.tryAcquire(), true);
});

/** Everything the server sends on one connection until it closes (or `ms` pass). */
function exchange(target: { path: string } | { port: number }, data: string, ms = 5000): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = 'path' in target ? net.connect(target.path) : net.connect(target.port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ text, closedAfterMs: -1 }); }, ms);
    s.on('connect', () => s.write(data));
    s.on('data', (d: Buffer) => { text += d.toString('latin1'); });
    s.on('error', () => undefined);
    s.on('close', () => { clearTimeout(timer); resolve({ text, closedAfterMs: Date.now() - started }); });
  });
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe('the listeners: access policy, slow clients, connection limit, upgrades', () => {
  let dir: string;
  let listeners: Listener[];
  let socketPath: string;
  let port: number;
  const served: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    served.push(`${req.method} ${req.url}`);
    if (req.url === '/stream') {
      // A silent stream longer than the body timeout, like events or logs -f.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      setTimeout(() => res.end('{"done":true}\n'), 2500);
      return;
    }
    let body = '';
    const read = () => {
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        res.setHeader('Connection', 'close');
        res.end(req.url === '/lazy' ? `${req.method} ${req.url} ${body.length}` : `${req.method} ${req.url} ${body}`);
      });
    };
    // A consumer busy for longer than the body timeout before it reads (docker load into a slow store).
    if (req.url === '/lazy') setTimeout(read, 2500);
    else read();
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-listen-'));
    socketPath = path.join(dir, 'api.sock');
    const config = loadConfig({
      BERTH_RUN_ROOT: dir, BERTH_SOCKET: socketPath, BERTH_TCP: '127.0.0.1:0', BERTH_TCP_INSECURE: '1',
      BERTH_API_CORS_ORIGINS: 'http://good.example', BERTH_BODY_TIMEOUT: '1', BERTH_IDLE_TIMEOUT: '1', BERTH_MAX_CONNECTIONS: '4',
    }).gateway;
    const upgrades = new UpgradeRouter(handler, config.bodyTimeoutMs);
    upgrades.register(/^\/hijack$/, (_req, socket) => socket.end('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'));
    // Like exec start: reads its body off the socket, then streams (here: silence, then the end).
    upgrades.register(/^\/exec$/, (req, socket, head) => {
      const want = Number(req.headers['content-length']);
      let got = head.length;
      const answer = () => {
        socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        setTimeout(() => socket.end('bye'), 2500);
      };
      if (got >= want) return answer();
      socket.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= want) answer();
      });
    });
    listeners = await openListeners(config, { request: handler, upgrade: upgrades.handle }, silentLogger);
    port = Number(/:(\d+)$/.exec(listeners[1].address)![1]);
  });
  after(async () => {
    await closeListeners(listeners);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the unix socket is 660, the docker group\'s when it exists', () => {
    const st = fs.statSync(socketPath);
    assert.equal(st.mode & 0o777, 0o660);
    if (process.getuid?.() === 0) assert.equal(st.gid, groupId('docker') ?? 0);
    assert.match(listeners[1].address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  test('TCP refuses a foreign Host before any route runs; the unix socket takes any', async () => {
    served.length = 0;
    const evil = await exchange({ port }, 'GET /version HTTP/1.1\r\nHost: evil.example\r\n\r\n');
    assert.equal(statusOf(evil.text), 403);
    assert.match(evil.text, /"message":"refusing a request for host \\"evil.example\\"/);
    assert.match(evil.text, /\r\nApi-Version: /);
    assert.deepEqual(served, []);
    const own = await exchange({ port }, 'GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal(statusOf(own.text), 200);
    for (const host of ['docker', 'api.moby.localhost', 'evil.example']) {
      const unix = await exchange({ path: socketPath }, `GET /version HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.equal(statusOf(unix.text), 200, host);
    }
    const noHost = await exchange({ path: socketPath }, 'GET /version HTTP/1.1\r\n\r\n');
    assert.equal(statusOf(noHost.text), 200);
  });

  test('an Origin not listed is refused and nothing runs; a listed one is served with CORS headers', async () => {
    served.length = 0;
    const evil = await exchange({ path: socketPath }, 'POST /volumes/prune HTTP/1.1\r\nHost: docker\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx');
    assert.equal(statusOf(evil.text), 403);
    assert.deepEqual(served, []);
    const ws = await exchange({ path: socketPath }, 'GET /hijack HTTP/1.1\r\nHost: docker\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    assert.equal(statusOf(ws.text), 403);
    const pre = await exchange({ path: socketPath }, 'OPTIONS /volumes/prune HTTP/1.1\r\nHost: docker\r\nOrigin: http://good.example\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(pre.text), 200);
    assert.match(pre.text, /\r\nAccess-Control-Allow-Origin: http:\/\/good\.example\r\n/);
    assert.deepEqual(served, []);
    const good = await exchange({ path: socketPath }, 'POST /volumes/prune HTTP/1.1\r\nHost: docker\r\nOrigin: http://good.example\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx');
    assert.equal(statusOf(good.text), 200);
    assert.match(good.text, /\r\nAccess-Control-Allow-Origin: http:\/\/good\.example\r\n/);
    assert.deepEqual(served, ['POST /volumes/prune']);
  });

  test('a body that stops arriving, a head that never ends and an idle connection are closed; a silent stream is not', async () => {
    const [body, head, idle, stream] = await Promise.all([
      exchange({ path: socketPath }, 'POST /x HTTP/1.1\r\nHost: docker\r\nContent-Length: 100\r\n\r\nabc'),
      exchange({ path: socketPath }, 'GET /x HTTP/1.1\r\nHost: docker\r\nX-Slow: '),
      exchange({ port }, ''),
      exchange({ path: socketPath }, 'GET /stream HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n'),
    ]);
    for (const [name, r] of [['body', body], ['head', head], ['idle', idle]] as const) {
      assert.ok(r.closedAfterMs >= 900 && r.closedAfterMs < 4000, `${name}: closed after ${r.closedAfterMs} ms`);
    }
    assert.match(stream.text, /\{"done":true\}/);
  });

  test('a hijack whose body stops arriving is cut; once it streams, silence is fine', async () => {
    const late = net.connect(socketPath);
    let lateText = '';
    late.on('data', (d: Buffer) => { lateText += d.toString(); });
    late.on('connect', () => {
      late.write('POST /exec HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{');
      setTimeout(() => late.write('}'), 300);
    });
    const [stalled] = await Promise.all([
      exchange({ path: socketPath }, 'POST /exec HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 10\r\n\r\n{"a"'),
      new Promise((r) => late.once('close', r)),
    ]);
    const streaming = { text: lateText };
    assert.ok(stalled.closedAfterMs >= 900 && stalled.closedAfterMs < 4000, `stalled: ${stalled.closedAfterMs}`);
    assert.equal(stalled.text, '');
    assert.match(streaming.text, /^HTTP\/1\.1 101 UPGRADED\r\n[^]*bye$/);
  });

  test('a body waiting on our side (the route reads it late) is not the client\'s silence', async () => {
    const size = 512 * 1024;
    const res = await exchange({ path: socketPath }, `POST /lazy HTTP/1.1\r\nHost: docker\r\nContent-Length: ${size}\r\n\r\n${'x'.repeat(size)}`, 10_000);
    assert.match(res.text, new RegExp(`POST /lazy ${size}$`));
  });

  test('an upload slower than the timeout in all but never idle that long goes through', async () => {
    const s = net.connect(socketPath);
    let text = '';
    s.on('data', (d: Buffer) => { text += d.toString(); });
    await new Promise((r) => s.once('connect', r));
    s.write('POST /upload HTTP/1.1\r\nHost: docker\r\nContent-Length: 5\r\n\r\n');
    for (const c of 'hello') {
      await new Promise((r) => setTimeout(r, 400));
      s.write(c);
    }
    await new Promise((r) => s.once('close', r));
    assert.match(text, /POST \/upload hello$/);
  });

  test('past the limit a connection gets 503 with a JSON message and is closed; served again once others go', async () => {
    const held = Array.from({ length: 4 }, () => net.connect(socketPath).on('error', () => undefined));
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    // The server accepts them in this same process: let it.
    await new Promise((r) => setTimeout(r, 200));
    const over = await exchange({ port }, 'GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (const s of held) s.destroy();
    assert.equal(statusOf(over.text), 503);
    assert.match(over.text, /"message":"too many connections: the Engine API serves at most 4 at once/);
    assert.ok(over.closedAfterMs > 0);
    let again = 0;
    for (let i = 0; i < 20 && again !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = statusOf((await exchange({ port }, 'GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n')).text);
    }
    assert.equal(again, 200);
  });

  test('Connection: Upgrade on an ordinary route is an ordinary request, body included; the hijack route upgrades', async () => {
    const get = await exchange({ path: socketPath }, 'GET /version HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    assert.equal(statusOf(get.text), 200);
    assert.match(get.text, /GET \/version $/);
    const post = await exchange({ path: socketPath }, 'POST /v1.45/volumes/create HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 4\r\n\r\n{"a"');
    assert.match(post.text, /POST \/v1\.45\/volumes\/create \{"a"$/);
    const hijack = await exchange({ path: socketPath }, 'POST /hijack HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    assert.equal(statusOf(hijack.text), 101);
  });
});
