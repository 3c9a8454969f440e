import type { ProgressLine } from '@berth/jobs';

/**
 * Collects progress lines and hands them to the job in batches, so a fast
 * download does not turn into thousands of Redis writes; byte counters are
 * coalesced per layer.
 */
export class ProgressBatcher {
  private pending: ProgressLine[] = [];
  private readonly counters = new Map<string, ProgressLine>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly sink: (lines: ProgressLine[]) => Promise<void>, private readonly intervalMs = 150) {}

  line(line: ProgressLine): void {
    if (line.id) this.counters.delete(line.id);
    this.pending.push(line);
    this.schedule();
  }

  /** A "Downloading"/"Extracting" counter: only the latest per layer is sent. */
  counter(line: ProgressLine): void {
    this.counters.set(line.id ?? '', line);
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const lines = [...this.pending, ...this.counters.values()];
    this.pending = [];
    this.counters.clear();
    if (lines.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.sink(lines)).catch(() => undefined);
    return this.flushing;
  }
}

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The bar text dockerd puts in `progress` (the CLI draws its own from progressDetail). */
export function bar(current: number, total: number): string {
  const fmt = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}GB` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}MB` : n >= 1e3 ? `${(n / 1e3).toFixed(2)}kB` : `${n}B`);
  if (total <= 0) return fmt(current);
  const width = 50;
  const filled = Math.min(width, Math.floor((current / total) * width));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] ${fmt(current)}/${fmt(total)}`;
}
