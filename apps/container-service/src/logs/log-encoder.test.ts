import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogEncoder, STDERR, STDOUT } from './log-encoder';
import { demux } from './log-test-helpers';

function line(e: LogEncoder, stream: 1 | 2, text: string): void {
  const b = Buffer.from(text);
  e.open(stream);
  e.write(b, 0, b.length);
  e.writeByte(0x0a);
  e.close();
}

test('each line is one multiplexed frame: stream byte, three zeros, big-endian length', () => {
  const chunks: Buffer[] = [];
  const e = new LogEncoder(true, (c) => chunks.push(c));
  line(e, STDOUT, 'hello');
  line(e, STDERR, 'oops');
  e.flush();
  const all = Buffer.concat(chunks);
  assert.deepEqual([...all.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 6]);
  assert.deepEqual(demux(all), [{ stream: 1, data: 'hello\n' }, { stream: 2, data: 'oops\n' }]);
});

test('with a TTY the bytes go out raw', () => {
  const chunks: Buffer[] = [];
  const e = new LogEncoder(false, (c) => chunks.push(c));
  line(e, STDOUT, 'a\r');
  line(e, STDOUT, 'b\r');
  e.flush();
  assert.equal(Buffer.concat(chunks).toString(), 'a\r\nb\r\n');
});

test('chunks are emitted near the chunk size; a line longer than a chunk is split into frames', () => {
  const chunks: Buffer[] = [];
  const e = new LogEncoder(true, (c) => chunks.push(c), 1024);
  for (let i = 0; i < 100; i++) line(e, STDOUT, `line ${i} ${'x'.repeat(50)}`);
  const long = 'y'.repeat(5000);
  line(e, STDERR, long);
  e.flush();
  assert.ok(chunks.length > 5);
  for (const c of chunks.slice(0, -1)) assert.ok(c.length >= 1024 && c.length <= 2048, `chunk of ${c.length}`);
  const frames = demux(Buffer.concat(chunks));
  assert.equal(frames.filter((f) => f.stream === 1).length, 100);
  assert.equal(frames.filter((f) => f.stream === 2).map((f) => f.data).join(''), `${long}\n`);
  // Every chunk is whole frames: each can be sent on its own.
  for (const c of chunks) demux(c);
});

test('switching streams mid-line closes the frame; empty frames are never sent', () => {
  const chunks: Buffer[] = [];
  const e = new LogEncoder(true, (c) => chunks.push(c));
  e.open(STDOUT);
  e.write(Buffer.from('par'), 0, 3);
  e.open(STDERR);
  e.write(Buffer.from('err\n'), 0, 4);
  e.close();
  e.open(STDOUT);
  e.write(Buffer.from('tial\n'), 0, 5);
  e.close();
  e.open(STDOUT);
  e.close();
  e.flush();
  assert.deepEqual(demux(Buffer.concat(chunks)), [{ stream: 1, data: 'par' }, { stream: 2, data: 'err\n' }, { stream: 1, data: 'tial\n' }]);
});
