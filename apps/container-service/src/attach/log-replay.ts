import type { ContainerLogs } from '../logs';
import type { LogReplay } from './attach-hub';

/**
 * Attach's `logs=1`: the log as ContainerLogs reads it (Docker frames without
 * a TTY, raw with one), turned back into per-stream chunks for the stream.
 */
export function logReplayFrom(logs: ContainerLogs): LogReplay {
  return async (record, stdout, stderr, write) => {
    const tty = (record.Config as { Tty?: boolean }).Tty === true;
    for await (const chunk of logs.read(record, { follow: false, stdout, stderr, tail: -1, timestamps: false })) {
      if (tty) {
        await write(1, chunk);
        continue;
      }
      // ContainerLogs hands out whole frames only.
      for (let off = 0; off + 8 <= chunk.length; ) {
        const len = chunk.readUInt32BE(off + 4);
        await write(chunk[off] === 2 ? 2 : 1, chunk.subarray(off + 8, off + 8 + len));
        off += 8 + len;
      }
    }
  };
}
