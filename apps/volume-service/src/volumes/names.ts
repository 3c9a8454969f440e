import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { RpcError } from '@berth/rpc';

/** dockerd's names.RestrictedNameChars, quoted verbatim in its error message. */
export const VOLUME_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Go's %q for the strings a volume name can hold, so messages quote like dockerd's. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * The local driver's name rules. Names become directories under the
 * volumes root, and these rules are what keeps them there: no `/`, and no
 * leading `.` (so never `.` or `..`).
 */
export function validateVolumeName(name: string): void {
  if (name.length === 1) {
    throw RpcError.invalidArgument('volume name is too short, names should be at least two alphanumeric characters');
  }
  if (!VOLUME_NAME_PATTERN.test(name)) {
    throw RpcError.invalidArgument(`${goQuote(name)} includes invalid characters for a local volume name, only ${goQuote(VOLUME_NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** A name for a volume created without one: 64 lowercase hex characters, like dockerd's stringid. */
export function generateVolumeName(): string {
  return crypto.randomBytes(32).toString('hex');
}

/**
 * `<root>/<name>` (root absolute and normalised), after checking again that
 * the name is one the validator accepts — no `/`, no leading `.`, so the
 * result is a direct child of root: a bug elsewhere must not turn into a
 * path outside the volumes directory.
 */
export function volumeDirectory(root: string, name: string): string {
  if (!VOLUME_NAME_PATTERN.test(name) || !path.isAbsolute(root)) {
    throw RpcError.internal(`refusing volume path outside ${root}: ${JSON.stringify(name)}`);
  }
  return `${root}/${name}`;
}
