/** Test helpers: write k8s-file records and split Docker's multiplexed frames. */

export interface Frame {
  stream: number;
  data: string;
}

/** Splits a multiplexed stream into its frames; throws on a malformed header. */
export function demux(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let p = 0;
  while (p < buf.length) {
    if (p + 8 > buf.length) throw new Error(`truncated header at ${p}`);
    const stream = buf[p];
    if (stream !== 1 && stream !== 2 || buf[p + 1] !== 0 || buf[p + 2] !== 0 || buf[p + 3] !== 0) throw new Error(`bad header at ${p}`);
    const len = buf.readUInt32BE(p + 4);
    if (len === 0) throw new Error(`empty frame at ${p}`);
    out.push({ stream, data: buf.subarray(p + 8, p + 8 + len).toString('latin1') });
    p += 8 + len;
  }
  return out;
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
