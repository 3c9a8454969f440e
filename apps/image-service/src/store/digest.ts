import * as crypto from 'node:crypto';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export function sha256(data: string | Buffer): string {
  return 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
}

export function hexOf(digest: string): string {
  if (!isDigest(digest)) throw new Error(`invalid digest: ${digest}`);
  return digest.slice('sha256:'.length);
}

/** The chain ID of a layer stack (image-spec): a layer's identity together with everything below it. */
export function chainId(parent: string | undefined, diffId: string): string {
  return parent ? sha256(`${parent} ${diffId}`) : diffId;
}

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(chainId(out[out.length - 1], d));
  return out;
}
