/** One line of Docker's JSON progress stream, as the CLI draws it. */
export interface ProgressLine {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  errorDetail?: { message: string };
  error?: string;
  aux?: Record<string, unknown>;
  stream?: string;
}

/** What a worker reports with job.updateProgress: the lines since its last report. */
export interface JobProgress {
  lines: ProgressLine[];
}

export interface PullResult {
  imageId: string;
  /** Digest of the manifest pulled (the repo digest). */
  digest: string;
  /** The closing lines: Digest: ..., Status: ... */
  lines: ProgressLine[];
}

export interface PushResult {
  digest: string;
  lines: ProgressLine[];
}

function isProgressLine(v: unknown): v is ProgressLine {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The lines of a progress report read back from Redis (the gateway follows
 * jobs it did not run): anything that is not a JobProgress yields none.
 */
export function progressLinesOf(data: unknown): ProgressLine[] {
  if (typeof data !== 'object' || data === null) return [];
  const lines = (data as { lines?: unknown }).lines;
  return Array.isArray(lines) ? lines.filter(isProgressLine) : [];
}
