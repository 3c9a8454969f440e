import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { Berth, startBerthWithBusybox, dockerOk } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);

/** Sends a raw request on the gateway's socket and collects everything until `done` says so or the socket ends. */
function raw(request: string, done: (data: Buffer) => boolean, onOpen?: (s: net.Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(berth.socketPath);
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timed out; got ${JSON.stringify(data.toString('latin1'))}`));
    }, 15_000);
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(data);
    };
    s.on('connect', () => {
      s.write(request);
      onOpen?.(s);
    });
    s.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (done(data)) finish();
    });
    s.on('end', finish);
    s.on('error', reject);
  });
}

function maskedFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

test('upgraded attach: 101, multiplexed output from 1.42, logs=1 replays the log', async () => {
  await ok(['run', '--name', 'said', 'busybox', 'sh', '-c', 'echo one; echo two >&2']);
  const out = await raw('POST /v1.45/containers/said/attach?logs=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', () => false);
  const text = out.toString('latin1');
  assert.match(text, /^HTTP\/1\.1 101 UPGRADED\r\n/);
  assert.match(text, /Content-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
  const body = out.subarray(out.indexOf('\r\n\r\n') + 4);
  assert.deepEqual([...body.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(body.subarray(8, 12).toString(), 'one\n');
  assert.deepEqual([...body.subarray(12, 20)], [2, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(body.subarray(20, 24).toString(), 'two\n');
});

test('legacy hijack without Upgrade answers 200 with a raw stream; errors come before the hijack', async () => {
  const out = await raw('POST /v1.41/containers/said/attach?logs=1&stdout=1 HTTP/1.1\r\nHost: x\r\n\r\n', () => false);
  const text = out.toString('latin1');
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /Content-Type: application\/vnd\.docker\.raw-stream\r\n/);
  const missing = (await raw('POST /v1.45/containers/nosuch/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', (d) => d.includes('}'))).toString();
  assert.match(missing, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(missing, /\{"message":"No such container: nosuch"\}/);
});

test('websocket attach: binary frames out, client frames to stdin', async () => {
  await ok(['run', '-d', '-i', '--name', 'wsbox', 'busybox', 'sh']);
  const req =
    'GET /v1.45/containers/wsbox/attach/ws?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  let sent = false;
  let sock: net.Socket | undefined;
  const out = await raw(req, (d) => {
    if (!sent && d.includes('\r\n\r\n')) {
      sent = true;
      sock?.write(maskedFrame('echo ws-$((40+2))\n'));
    }
    return d.includes('ws-42');
  }, (s) => { sock = s; });
  const text = out.toString('latin1');
  assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(text, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  const frames = out.subarray(out.indexOf('\r\n\r\n') + 4);
  assert.equal(frames[0], 0x82, 'a binary frame');
  await ok(['rm', '-f', 'wsbox']);
});
