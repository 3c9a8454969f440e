/** Docker's detach key spec: `ctrl-p,ctrl-q` (default), letters, `ctrl-<x>`, `ctrl-@`, `ctrl-[`... */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

export function parseDetachKeys(spec: string): Buffer {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length === 1) {
      out.push(k.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/i.exec(k);
    if (!m) throw new Error(`Invalid detach keys (${spec}) provided`);
    const c = m[1].toLowerCase();
    if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if (c === '@') out.push(0);
    else if (c === '[') out.push(27);
    else if (c === '\\') out.push(28);
    else if (c === ']') out.push(29);
    else if (c === '^') out.push(30);
    else if (c === '_') out.push(31);
    else throw new Error(`Invalid detach keys (${spec}) provided`);
  }
  return Buffer.from(out);
}

/**
 * Watches stdin for the detach sequence. Bytes that could start the sequence
 * are held back until it is clear they don't; a full match detaches and is
 * never passed on (as dockerd's term.EscapeProxy).
 */
export class DetachWatcher {
  private held: number[] = [];

  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward and whether the sequence was typed. */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held.length]) {
        this.held.push(b);
        if (this.held.length === this.keys.length) return { forward: Buffer.from(out), detach: true };
      } else {
        out.push(...this.held);
        this.held = [];
        if (b === this.keys[0]) this.held.push(b);
        else out.push(b);
      }
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
