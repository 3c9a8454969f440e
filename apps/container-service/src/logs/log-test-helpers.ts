/** Test helpers: write k8s-file records and split Docker's multiplexed frames. */
import { readStdcopyFrames, StdStream } from '@berth/engine-api';

export interface Frame {
  stream: number;
  data: string;
}

/** Splits a multiplexed stream into its frames; throws on a malformed, cut or empty frame, or one not of stdout or stderr. */
export function demux(buf: Buffer): Frame[] {
  const { frames, consumed } = readStdcopyFrames(buf);
  if (consumed !== buf.length) throw new Error(`truncated frame at ${consumed}`);
  return frames.map((f, i) => {
    if (f.stream !== StdStream.Stdout && f.stream !== StdStream.Stderr) throw new Error(`frame ${i} is of stream ${f.stream}`);
    if (f.payload.length === 0) throw new Error(`frame ${i} is empty`);
    return { stream: f.stream, data: f.payload.toString('latin1') };
  });
}

/** conmon's timestamp form for `ms` (+ extra nanoseconds), in UTC. */
export function k8sTime(ms: number, extraNs = 0): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(extraNs).padStart(6, '0')}+00:00`;
}

export function record(time: string, stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string): string {
  return `${time} ${stream} ${tag} ${text}\n`;
}

export async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(c);
  return Buffer.concat(parts);
}
