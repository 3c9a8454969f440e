/**
 * What an error message may not tell a client: where Berth keeps its state
 * on the host (a container's overlay, a layer directory), and the
 * JavaScript of a bug ("x.split is not a function"). dockerd's own messages
 * never carry either from Berth, so these are rewritten before they leave.
 */
const JS_INTERNALS = [
  /is not a function/,
  /is not iterable/,
  /Cannot read propert(y|ies) of/,
  /Cannot (set|convert|destructure)/,
  /The argument '[^']+' (must|is)/,
  /The "[^"]+" argument must/,
  /Unexpected token .* in JSON/,
  /Maximum call stack size exceeded/,
  /^Invalid (string|array) length$/,
  /\bERR_[A-Z_]+\b/,
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ErrorRedactor {
  private readonly rootPaths: RegExp | undefined;

  /** `roots`: the host directories Berth keeps state under (data root, run root). */
  constructor(roots: readonly string[] = []) {
    const usable = roots.filter((r) => r.length > 1).map((r) => escape(r.replace(/\/+$/, '')));
    this.rootPaths = usable.length > 0 ? new RegExp(`(?:${usable.join('|')})(?:/[^\\s'"]*)?`, 'g') : undefined;
  }

  redact(statusCode: number, message: string): string {
    if (statusCode >= 500 && JS_INTERNALS.some((re) => re.test(message))) return 'internal error';
    if (!this.rootPaths) return message;
    // A path inside a container's root file system is shown as the container sees it.
    return message.replace(this.rootPaths, (match) => {
      const [, p = match, tail = ''] = /^(.*?)([:,.;)]*)$/.exec(match) ?? [];
      const merged = p.indexOf('/merged');
      if (merged >= 0) return (p.slice(merged + '/merged'.length) || '/') + tail;
      return '<berth>' + tail;
    });
  }
}

let current = new ErrorRedactor();

/** Set once at start-up (server/app.ts): the roots every error message is cleaned of. */
export function setHostRoots(roots: readonly string[]): void {
  current = new ErrorRedactor(roots);
}

/**
 * A message about to leave the gateway, wherever it goes: an error body, an
 * error line in a JSON stream, a hijack refusal. `statusCode` 500 for a
 * failure reported inside a stream.
 */
export function redactError(statusCode: number, message: string): string {
  return current.redact(statusCode, message);
}
