import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { container } from '@berth/proto';
import type { ContainerAttachBackend } from '../backends/container.backend';
import type { DuplexSession } from '../backends/streams';
import { startAttachServer } from '../testing/attach-server';

const MB = 1024 * 1024;

/** A call to container-service whose process reads `room` bytes of stdin, then nothing until released. */
class FullSession extends EventEmitter implements DuplexSession<container.AttachInput, container.AttachOutput> {
  received = 0;
  constructor(private room: number) { super(); }
  write(msg: container.AttachInput): boolean {
    const input = msg.input;
    if (input?.$case === 'open') {
      setImmediate(() => this.emit('data', { output: { $case: 'ready', ready: { tty: true } } }));
      return true;
    }
    if (input?.$case === 'stdin') {
      this.received += input.stdin.length;
      return this.received < this.room;
    }
    return true;
  }
  /** The process reads `more` bytes. */
  release(more: number): void {
    this.room = this.received + more;
    this.emit('drain');
  }
  end(): void { this.emit('end'); }
  cancel(): void { /* the client left */ }
  pause(): this { return this; }
  resume(): this { return this; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `total` bytes as fast as `write` takes them; resolves with what it wrote before stalling for `stallMs`. */
async function pushUntilStalled(write: (b: Buffer) => boolean, waitDrain: () => Promise<unknown>, total: number, stallMs: number): Promise<number> {
  const chunk = Buffer.alloc(256 * 1024, 'x');
  let sent = 0;
  while (sent < total) {
    sent += chunk.length;
    if (!write(chunk)) {
      const drained = await Promise.race([waitDrain().then(() => true), sleep(stallMs).then(() => false)]);
      if (!drained) break;
    }
  }
  return sent;
}

describe('stdin backpressure: a client cannot push more than the process takes', () => {
  const sessions: FullSession[] = [];
  const backend: ContainerAttachBackend = { attach: () => { const s = new FullSession(MB); sessions.push(s); return s; } };
  let server: { port: number; close(): void };
  let port: number;
  before(async () => {
    server = await startAttachServer(backend);
    port = server.port;
  });
  after(() => server.close());

  test('hijacked attach: the socket is paused while the call is full, resumed on its drain', async () => {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('data', () => undefined);
    sock.write('POST /v1.45/containers/box/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    while (sessions.length === 0) await sleep(5);
    const session = sessions.at(-1)!;
    await sleep(50);
    const sent = await pushUntilStalled((b) => sock.write(b), () => once(sock, 'drain'), 200 * MB, 500);
    assert.ok(sent < 100 * MB, `the client pushed ${sent / MB} MB unhindered`);
    const held = session.received;
    assert.ok(held >= MB && held < 2 * MB, `the call got ${held} bytes past its 1 MiB room`);
    session.release(4 * MB);
    for (let i = 0; i < 200 && session.received < held + 4 * MB; i++) await sleep(10);
    assert.ok(session.received >= held + 4 * MB, 'stdin flows again after the drain');
    assert.ok(session.received < held + 6 * MB);
    sock.destroy();
  });

  test('websocket attach: the connection is paused while the call is full, resumed on its drain', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1.45/containers/box/attach/ws?stream=1&stdin=1`);
    await once(ws, 'open');
    const session = sessions.at(-1)!;
    const piece = Buffer.alloc(256 * 1024, 'w');
    for (let i = 0; i < 400; i++) ws.send(piece);
    await sleep(500);
    const held = session.received;
    assert.ok(held >= MB && held < 4 * MB, `the call got ${held / MB} MB past its 1 MiB room`);
    assert.ok(ws.bufferedAmount > 50 * MB, 'the rest waits on the client');
    session.release(8 * MB);
    for (let i = 0; i < 200 && session.received < held + 8 * MB; i++) await sleep(10);
    assert.ok(session.received >= held + 8 * MB, 'stdin flows again after the drain');
    ws.terminate();
  });
});
