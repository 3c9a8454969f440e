import type { FileHandle } from 'node:fs/promises';

const NL = 0x0a;
const SP = 0x20;
const TAG_PARTIAL = 0x50;
/** Enough of a record's start to hold `<time> stdout F `. */
const HEAD = 64;
const BLOCK = 64 * 1024;

/** Whether the record starting at `buf[at]` ends a line (tag F); an unreadable record does not. */
function endsLine(buf: Buffer, at: number, end: number): boolean {
  let sp = at;
  const limit = Math.min(end, at + HEAD);
  while (sp < limit && buf[sp] !== SP) sp++;
  if (sp + 8 >= end || buf[sp + 7] !== SP) return false;
  return buf[sp + 8] !== TAG_PARTIAL;
}

/**
 * Where the last `lines` lines of a k8s-file log start, reading backwards from `size`
 * in blocks: a tail of 10 lines of a 50 MB log reads a few KiB. A line is a run of P
 * records closed by an F record; a run without its F at the end counts as a line.
 * Bytes after the last newline (a record conmon is still writing) are not counted.
 */
export async function tailOffset(fh: FileHandle, size: number, lines: number): Promise<number> {
  if (lines <= 0) return size;
  // view = the block being scanned, followed by the first HEAD bytes after it.
  const view = Buffer.allocUnsafe(BLOCK + HEAD);
  const head = Buffer.allocUnsafe(HEAD);
  let headLen = 0;
  let blockEnd = size;
  /** Absolute position of the newline ending the record scanned last; -1 before the first. */
  let laterNl = -1;
  let lastRecordNl = -1;
  let found = 0;

  while (blockEnd > 0) {
    const blockStart = Math.max(0, blockEnd - BLOCK);
    const n = blockEnd - blockStart;
    const { bytesRead } = await fh.read(view, 0, n, blockStart);
    if (bytesRead !== n) throw new Error('log file shrank while reading its tail');
    head.copy(view, n, 0, headLen);
    const viewEnd = n + headLen;

    let i = n - 1;
    while (i >= -1) {
      const q = i >= 0 ? view.lastIndexOf(NL, i) : -1;
      // No newline left in this block: the record goes on in the block before, unless this is the file's start.
      if (q < 0 && blockStart > 0) break;
      if (laterNl < 0) {
        if (q < 0) break;
        laterNl = blockStart + q;
        lastRecordNl = laterNl;
      } else {
        // The record [q+1, laterNl]: if it ends a line (and is not the log's last one), the line after it starts at laterNl+1.
        if (laterNl !== lastRecordNl && endsLine(view, q + 1, viewEnd)) {
          found++;
          if (found === lines) return laterNl + 1;
        }
        laterNl = blockStart + q;
      }
      if (q < 0) break;
      i = q - 1;
    }
    // Keep the start of this block: the header of the record that begins in the block before may continue into it.
    headLen = Math.min(HEAD, n);
    view.copy(head, 0, 0, headLen);
    blockEnd = blockStart;
  }
  return 0;
}
