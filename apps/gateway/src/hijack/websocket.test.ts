import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptKey, encodeFrame, FrameDecoder } from './websocket';

function clientFrame(payload: Buffer, opcode = 0x2): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

describe('websocket', () => {
  test('accept key from RFC 6455', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('frames: server encoding by length, client frames unmasked across chunks', () => {
    assert.deepEqual([...encodeFrame(Buffer.from('hi'))], [0x82, 2, 104, 105]);
    assert.deepEqual([...encodeFrame(Buffer.alloc(300)).subarray(0, 4)], [0x82, 126, 1, 44]);
    assert.deepEqual([...encodeFrame(Buffer.alloc(70000)).subarray(0, 2)], [0x82, 127]);
    const d = new FrameDecoder();
    const whole = Buffer.concat([clientFrame(Buffer.from('hello')), clientFrame(Buffer.alloc(200, 7))]);
    assert.deepEqual(d.push(whole.subarray(0, 5)), []);
    const msgs = d.push(whole.subarray(5));
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0].payload.toString(), 'hello');
    assert.equal(msgs[1].payload.length, 200);
    assert.equal(msgs[1].payload[199], 7);
  });
});
