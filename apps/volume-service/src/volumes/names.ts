import * as crypto from 'node:crypto';
import { RpcError } from '@berth/rpc';

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** dockerd's local driver rules; names are also path components, so this guards the data-root. */
export function validateVolumeName(name: string): void {
  if (name.length === 1) {
    throw RpcError.invalidArgument(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!NAME_PATTERN.test(name)) {
    throw RpcError.invalidArgument(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** Anonymous volumes get a random 64-hex name, like dockerd's stringid. */
export function generateVolumeName(): string {
  return crypto.randomBytes(32).toString('hex');
}
