/**
 * An archive that tries to write outside its target directory: `..` escapes,
 * hard links to outside files, writes through symlinks that lead out. Never
 * retried, and the caller should treat the whole archive as hostile.
 */
export class UnsafeArchiveError extends Error {
  constructor(readonly entry: string, reason: string) {
    super(`unsafe archive entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'UnsafeArchiveError';
  }
}

/** The input is not an archive we can read (corrupt, truncated, unknown compression). */
export class InvalidArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArchiveError';
  }
}
