import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MULTIPLEXED_STREAM, RAW_STREAM, StdStream, readStdcopyFrames, stdcopyFrame, writeStdcopyHeader } from './index';

describe('stdcopy framing', () => {
  it('a frame is the stream, three zeros, the big-endian length and the payload', () => {
    assert.deepEqual([...stdcopyFrame(StdStream.Stderr, Buffer.from('hi'))], [2, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]);
    const big = stdcopyFrame(StdStream.Stdout, Buffer.alloc(0x010203));
    assert.deepEqual([...big.subarray(0, 8)], [1, 0, 0, 0, 0, 1, 2, 3]);
  });

  it('headers can be written in place', () => {
    const buf = Buffer.alloc(12, 0xff);
    writeStdcopyHeader(buf, 2, StdStream.SystemErr, 300);
    assert.deepEqual([...buf], [0xff, 0xff, 3, 0, 0, 0, 0, 0, 1, 44, 0xff, 0xff]);
  });

  it('reads whole frames back and leaves a cut one', () => {
    const whole = Buffer.concat([stdcopyFrame(StdStream.Stdout, Buffer.from('out')), stdcopyFrame(StdStream.Stderr, Buffer.from('err'))]);
    const cut = stdcopyFrame(StdStream.Stdout, Buffer.from('later'));
    const { frames, consumed } = readStdcopyFrames(Buffer.concat([whole, cut.subarray(0, 10)]));
    assert.deepEqual(frames.map((f) => [f.stream, f.payload.toString()]), [[1, 'out'], [2, 'err']]);
    assert.equal(consumed, whole.length);
    assert.deepEqual(readStdcopyFrames(Buffer.from([1, 0, 0])), { frames: [], consumed: 0 });
  });

  it('refuses a header that is not one', () => {
    assert.throws(() => readStdcopyFrames(Buffer.from('{"message":"x"}')), /bad stdcopy header at byte 0/);
  });

  it('content types', () => {
    assert.equal(MULTIPLEXED_STREAM, 'application/vnd.docker.multiplexed-stream');
    assert.equal(RAW_STREAM, 'application/vnd.docker.raw-stream');
  });
});
