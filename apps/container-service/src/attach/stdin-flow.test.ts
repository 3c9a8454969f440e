import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StdinFlow, StdinTarget } from './stdin-flow';
import { ConmonAttachment, STDIN_HIGH_WATER_MARK } from './conmon-attach';

/** A gRPC call's read side: whether it is paused. */
class Call {
  paused = false;
  pauses = 0;
  pause(): void { this.paused = true; this.pauses++; }
  resume(): void { this.paused = false; }
}

/** A process's stdin that takes `room` chunks, then waits to be released. */
class Target implements StdinTarget {
  readonly got: string[] = [];
  closed = false;
  private waiters: (() => void)[] = [];
  constructor(public room: number) {}
  write(data: Buffer): boolean {
    this.got.push(data.toString());
    this.room--;
    return this.room > 0;
  }
  onDrain(fn: () => void): void { this.waiters.push(fn); }
  close(): void { this.closed = true; }
  release(room: number): void {
    this.room = room;
    for (const w of this.waiters.splice(0)) w();
  }
}

test('stdin before the target exists is held with the call paused, then goes first', () => {
  const call = new Call();
  const flow = new StdinFlow(call);
  flow.write(Buffer.from('a'));
  assert.ok(call.paused);
  flow.write(Buffer.from('b'));
  const t = new Target(10);
  flow.attach(t);
  assert.deepEqual(t.got, ['a', 'b']);
  assert.ok(!call.paused);
  flow.write(Buffer.from('c'));
  assert.deepEqual(t.got, ['a', 'b', 'c']);
});

test('a full target pauses the call until it drains, in order', () => {
  const call = new Call();
  const flow = new StdinFlow(call);
  const t = new Target(2);
  flow.attach(t);
  flow.write(Buffer.from('1'));
  flow.write(Buffer.from('2'));
  assert.ok(call.paused, 'the second write filled it');
  // a message already on its way when the call paused
  flow.write(Buffer.from('3'));
  assert.deepEqual(t.got, ['1', '2']);
  t.release(10);
  assert.deepEqual(t.got, ['1', '2', '3']);
  assert.ok(!call.paused);
});

test('closing waits for what is held', () => {
  const call = new Call();
  const flow = new StdinFlow(call);
  flow.write(Buffer.from('x'));
  flow.close();
  flow.write(Buffer.from('after close'));
  const t = new Target(1);
  flow.attach(t);
  assert.deepEqual(t.got, ['x']);
  assert.ok(!t.closed, 'not while the target is full');
  t.release(5);
  assert.ok(t.closed);
});

const python = spawnSync('python3', ['-c', 'import socket; socket.SOCK_SEQPACKET'], { stdio: 'ignore' }).status === 0;

test('ConmonAttachment says full once the socket stops taking stdin, and drains when the peer reads', { skip: !python && 'needs python3 for a SEQPACKET peer that does not read' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attach-'));
  const sock = path.join(dir, 'attach');
  const gate = path.join(dir, 'go');
  // conmon when the container does not read its stdin: accepts, reads nothing until told to
  const peer = spawn('python3', ['-c', `
import socket, os, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(${JSON.stringify(sock)}); s.listen(1)
c, _ = s.accept()
while not os.path.exists(${JSON.stringify(gate)}): time.sleep(0.02)
while c.recv(65536): pass
`], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 200 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    const a = await ConmonAttachment.connect(sock, { output: () => undefined, end: () => undefined });
    const piece = Buffer.alloc(32 * 1024, 'i');
    let written = 0;
    while (a.write(piece)) {
      written += piece.length;
      await new Promise((r) => setImmediate(r));
      assert.ok(written < 64 * 1024 * 1024, 'the socket never said full');
    }
    written += piece.length;
    let drained = false;
    a.onDrain(() => { drained = true; });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!drained, 'no drain while the peer reads nothing');
    fs.writeFileSync(gate, '');
    for (let i = 0; i < 250 && !drained; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(drained, 'drained once the peer read');
    assert.ok(written >= STDIN_HIGH_WATER_MARK);
    a.close();
  } finally {
    peer.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
