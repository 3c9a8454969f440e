/**
 * Go's encoding/json wording for a body that is not JSON ("invalid character
 * 'x' looking for beginning of value", "unexpected EOF"), which is what
 * dockerd answers and what clients show; JSON.parse's own messages are V8's.
 * Only the first value is read, as json.Decoder reads it.
 */

class Syntax {
  constructor(readonly message: string) {}
}

/** strconv.QuoteRune without its quotes, inside single quotes, as Go's quoteChar. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c).slice(1, -1).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
  return `'${q}'`;
}

const EOF = new Syntax('unexpected EOF');

export interface SyntaxResult {
  /** Go's message for the first error, or undefined when the first value is well formed. */
  error?: string;
  /** Where the first value ends (for "content after JSON"). */
  end: number;
}

export function goJsonSyntax(text: string): SyntaxResult {
  let i = 0;
  const n = text.length;
  const bad = (what: string): Syntax => new Syntax(`invalid character ${quoteChar(text[i]!)} ${what}`);
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const digits = (): number => {
    const start = i;
    while (i < n && text[i]! >= '0' && text[i]! <= '9') i++;
    return i - start;
  };
  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n) throw EOF;
      if (text[i] !== word[k]) throw bad(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
    }
    i++;
  };
  const number = (): void => {
    if (text[i] === '-') {
      i++;
      if (i >= n) throw EOF;
      if (!(text[i]! >= '0' && text[i]! <= '9')) throw bad('in numeric literal');
    }
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      if (i >= n) throw EOF;
      if (digits() === 0) throw bad('after decimal point in numeric literal');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= n) throw EOF;
      if (digits() === 0) throw bad('in exponent of numeric literal');
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) throw EOF;
      const c = text[i]!;
      if (c === '"') { i++; return; }
      if (c === '\\') {
        i++;
        if (i >= n) throw EOF;
        if ('"\\/bfnrt'.includes(text[i]!)) { i++; continue; }
        if (text[i] !== 'u') throw bad('in string escape code');
        for (let k = 0; k < 4; k++) {
          i++;
          if (i >= n) throw EOF;
          if (!/[0-9a-fA-F]/.test(text[i]!)) throw bad('in \\u hexadecimal character escape');
        }
        i++;
        continue;
      }
      if (c < ' ') throw bad('in string literal');
      i++;
    }
  };
  const value = (): void => {
    ws();
    if (i >= n) throw EOF;
    const c = text[i]!;
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    throw bad('looking for beginning of value');
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') { i++; return; }
    for (;;) {
      ws();
      if (i >= n) throw EOF;
      if (text[i] !== '"') throw bad('looking for beginning of object key string');
      string();
      ws();
      if (i >= n) throw EOF;
      if (text[i] !== ':') throw bad('after object key');
      i++;
      value();
      ws();
      if (i >= n) throw EOF;
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return; }
      throw bad('after object key:value pair');
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') { i++; return; }
    for (;;) {
      value();
      ws();
      if (i >= n) throw EOF;
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return; }
      throw bad('after array element');
    }
  };
  try {
    value();
    return { end: i };
  } catch (err) {
    if (err instanceof Syntax) return { error: err.message, end: i };
    throw err;
  }
}
