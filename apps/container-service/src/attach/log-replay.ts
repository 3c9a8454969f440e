import { readStdcopyFrames, StdStream } from '@berth/engine-api';
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
      for (const f of readStdcopyFrames(chunk).frames) await write(f.stream === StdStream.Stderr ? 2 : 1, f.payload);
    }
  };
}
