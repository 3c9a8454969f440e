import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { container } from '@berth/proto';
import type { ContainerAttachBackend } from '../backends/container.backend';
import type { DuplexSession } from '../backends/streams';
import { startAttachServer } from '../testing/attach-server';
import { WS_MAX_PAYLOAD } from './websocket';

/** A container that echoes stdin back as stdout, and says `hi` on stderr when attached. */
class EchoSession extends EventEmitter implements DuplexSession<container.AttachInput, container.AttachOutput> {
  cancelled = false;
  write(msg: container.AttachInput): boolean {
    const input = msg.input;
    setImmediate(() => {
      if (input?.$case === 'open') {
        if (input.open.id === 'nosuch') {
          this.emit('error', Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'No such container: nosuch', metadata: {} }));
          return;
        }
        this.emit('data', { output: { $case: 'ready', ready: { tty: false } } });
        this.emit('data', { output: { $case: 'chunk', chunk: { stream: 2, data: Buffer.from('hi') } } });
      } else if (input?.$case === 'stdin') {
        this.emit('data', { output: { $case: 'chunk', chunk: { stream: 1, data: input.stdin } } });
      }
    });
    return true;
  }
  end(): void { this.emit('end'); }
  cancel(): void { this.cancelled = true; }
  pause(): this { return this; }
  resume(): this { return this; }
}

describe('container attach: one entry point, hijacked or websocket', () => {
  const sessions: EchoSession[] = [];
  const backend: ContainerAttachBackend = { attach: () => { const s = new EchoSession(); sessions.push(s); return s; } };
  let server: { port: number; close(): void };
  let port: number;
  before(async () => {
    server = await startAttachServer(backend);
    port = server.port;
  });
  after(() => server.close());

  async function wsOpen(version: string): Promise<{ ws: WebSocket; messages: { data: Buffer; binary: boolean }[] }> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v${version}/containers/box/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`);
    const messages: { data: Buffer; binary: boolean }[] = [];
    ws.on('message', (data: Buffer, binary) => messages.push({ data, binary }));
    await once(ws, 'open');
    return { ws, messages };
  }

  async function until(fn: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(fn());
  }

  test('websocket: raw output in binary messages, client messages to stdin', async () => {
    const { ws, messages } = await wsOpen('1.45');
    ws.send(Buffer.from('echo'));
    await until(() => messages.length === 2);
    assert.deepEqual(messages.map((m) => [m.data.toString(), m.binary]), [['hi', true], ['echo', true]]);
    ws.close();
    await once(ws, 'close');
    await until(() => sessions.at(-1)!.cancelled);
  });

  test('websocket before API 1.28: text messages', async () => {
    const { ws, messages } = await wsOpen('1.27');
    await until(() => messages.length === 1);
    assert.equal(messages[0].binary, false);
    ws.close();
  });

  test(`websocket: a client message over ${WS_MAX_PAYLOAD} bytes closes the connection (1009) instead of being buffered`, async () => {
    const { ws } = await wsOpen('1.45');
    const before = sessions.at(-1)!;
    ws.send(Buffer.alloc(WS_MAX_PAYLOAD + 1));
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1009);
    await until(() => before.cancelled);
  });

  test('a missing container is a plain 404 before any upgrade, on either transport', async () => {
    for (const head of [
      'POST /v1.45/containers/nosuch/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
      'GET /containers/nosuch/attach/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ]) {
      const sock = net.connect(port, '127.0.0.1');
      sock.write(head);
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      await once(sock, 'close');
      const text = Buffer.concat(chunks).toString();
      assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
      assert.match(text, /\{"message":"No such container: nosuch"\}/);
    }
  });

  test('websocket: an invalid handshake is 400 with a JSON message from ws\'s own checks, and opens nothing', async () => {
    const before = sessions.length;
    for (const [key, version] of [['not-a-key', '13'], ['dGhlIHNhbXBsZSBub25jZQ', '13'], ['dGhlIHNhbXBsZSBub25jZQ==', '99'], ['dGhlIHNhbXBsZSBub25jZQ==', '']]) {
      const sock = net.connect(port, '127.0.0.1');
      sock.write(`GET /containers/box/attach/ws?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: ${version}\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      await once(sock, 'close');
      const text = Buffer.concat(chunks).toString();
      assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/, `${key} ${version}`);
      assert.match(text, /\{"message":"invalid websocket handshake: Missing or invalid Sec-WebSocket-(Key|Version) header"\}/);
    }
    assert.equal(sessions.length, before, 'no attach stream opened');
  });

  test('the hijacked stream: 101 UPGRADED, multiplexed frames', async () => {
    const sock = net.connect(port, '127.0.0.1');
    sock.write('POST /v1.45/containers/box/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); });
    await until(() => buf.includes('hi'));
    const text = buf.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(text, /Content-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
    const body = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
    assert.deepEqual([...body.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 2]);
    sock.destroy();
  });
});
