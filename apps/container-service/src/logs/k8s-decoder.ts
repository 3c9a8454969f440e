import { LogEncoder, LogStream, STDERR, STDOUT } from './log-encoder';
import { compareLogTime, FIXED_TIMESTAMP_LENGTH, LogTime, parseLogTime, writeFixedTimestamp } from './k8s-timestamp';

/** What to show of a log, as `GET /containers/{id}/logs` asks it. */
export interface LogFilter {
  stdout: boolean;
  stderr: boolean;
  /** Lines from before this time are skipped (until the first one at or after it). */
  since?: LogTime;
  /** Reading stops at the first line after this time. */
  until?: LogTime;
  /** Prefix each line with its time, as dockerd does. */
  timestamps: boolean;
  /** dockerd's `details`: the log attributes before each line; Berth has none, so a lone space. */
  details: boolean;
}

const NL = 0x0a;
const SP = 0x20;
const TAG_PARTIAL = 0x50; // 'P'

/** Per stream: whether a line is under way (its P records came) and whether it is shown. */
interface LineState {
  open: boolean;
  shown: boolean;
}

/**
 * Turns conmon's k8s-file records (`<time> stdout|stderr F|P <text>\n`) into Docker log
 * output. A line split into P records is joined back into one line, as dockerd shows it.
 * The decision to show a line (stream, since, until) is taken at its first record.
 */
export class K8sLogDecoder {
  /** Set once a line after `until` was met: nothing more is to be shown. */
  stopped = false;
  private readonly lines: [LineState, LineState] = [{ open: false, shown: false }, { open: false, shown: false }];
  private since: LogTime | undefined;
  private readonly time = { sec: 0, nsec: 0, utc: true, fracDigits: 9 };

  constructor(private readonly filter: LogFilter, private readonly out: LogEncoder) {
    this.since = filter.since;
  }

  /**
   * Decodes the complete records in `buf[start, end)` and returns where the first
   * incomplete one starts (the caller keeps those bytes for the next read).
   */
  feed(buf: Buffer, start: number, end: number): number {
    let p = start;
    while (p < end && !this.stopped) {
      const nl = buf.indexOf(NL, p);
      if (nl < 0 || nl >= end) break;
      this.record(buf, p, nl);
      p = nl + 1;
    }
    return this.stopped ? end : p;
  }

  private record(buf: Buffer, start: number, nl: number): void {
    let sp = start;
    while (sp < nl && buf[sp] !== SP) sp++;
    // `<time> stdout F ` : the stream name is 6 bytes, the tag one.
    if (sp + 9 > nl || buf[sp + 7] !== SP) return;
    const c = buf[sp + 4];
    // stdOut / stdErr
    if (c !== 0x6f && c !== 0x65) return;
    const stream: LogStream = c === 0x6f ? STDOUT : STDERR;
    const partial = buf[sp + 8] === TAG_PARTIAL;
    const contentStart = sp + 10 <= nl ? sp + 10 : nl;
    const line = this.lines[stream - 1];
    const out = this.out;

    if (!line.open) {
      line.open = true;
      line.shown = stream === STDOUT ? this.filter.stdout : this.filter.stderr;
      // Times are parsed only when something needs them: the plain `docker logs` path skips it.
      if (this.filter.timestamps || this.since !== undefined || this.filter.until !== undefined) {
        const t = this.time;
        if (!parseLogTime(buf, start, sp, t)) {
          line.shown = false;
        } else {
          if (this.filter.until && compareLogTime(t, this.filter.until) > 0) {
            this.stopped = true;
            line.open = false;
            return;
          }
          if (this.since) {
            // As dockerd: once one line is at or after since, later ones are shown even if their clock went back.
            if (compareLogTime(t, this.since) < 0) line.shown = false;
            else this.since = undefined;
          }
          if (line.shown && this.filter.timestamps) {
            out.open(stream);
            out.writeWith(FIXED_TIMESTAMP_LENGTH + 1, (o, at) => {
              const e = writeFixedTimestamp(o, at, buf, start, t);
              o[e] = SP;
              return e + 1;
            });
          }
        }
      }
      if (line.shown && this.filter.details) {
        out.open(stream);
        out.writeByte(SP);
      }
    }
    if (line.shown) {
      out.open(stream);
      out.write(buf, contentStart, nl);
      if (!partial) {
        out.writeByte(NL);
        out.close();
      }
    }
    if (!partial) line.open = false;
  }
}
