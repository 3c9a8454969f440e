// Manifest media types, parsing, and choosing a platform from an index.
import { createHash } from 'node:crypto';
import { RegistryError } from './errors';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export const MediaTypes = {
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER_GZIP: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DOCKER_FOREIGN_LAYER_GZIP: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DOCKER_SCHEMA1: 'application/vnd.docker.distribution.manifest.v1+json',
  DOCKER_SCHEMA1_SIGNED: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What a pull asks for: indexes and image manifests, OCI and Docker, never schema 1. */
export const MANIFEST_ACCEPT = [
  MediaTypes.OCI_INDEX,
  MediaTypes.DOCKER_MANIFEST_LIST,
  MediaTypes.OCI_MANIFEST,
  MediaTypes.DOCKER_MANIFEST,
].join(', ');

export function isIndexType(mt: string): boolean {
  return mt === MediaTypes.OCI_INDEX || mt === MediaTypes.DOCKER_MANIFEST_LIST;
}

export function isImageManifestType(mt: string): boolean {
  return mt === MediaTypes.OCI_MANIFEST || mt === MediaTypes.DOCKER_MANIFEST;
}

export function isSchema1Type(mt: string): boolean {
  return mt === MediaTypes.DOCKER_SCHEMA1 || mt === MediaTypes.DOCKER_SCHEMA1_SIGNED;
}

/** dockerd's DeprecatedSchema1ImageError wording; `ref` is the reference as typed (e.g. `docker.io/library/x:tag`). */
export function schema1Error(ref?: string): RegistryError {
  let msg = 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed.';
  if (ref) {
    msg += ` Suggest the author of ${ref} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.`;
  }
  msg += ' More information at https://docs.docker.com/go/deprecated-image-specs/';
  return new RegistryError('invalid', msg);
}

export interface ParsedIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ParsedImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/**
 * Parses a manifest body. The media type comes from the body's `mediaType`
 * field, else the Content-Type, else its shape (as moby's detectManifestBlobMediaType).
 */
export function parseManifest(raw: Buffer, contentType: string | undefined, refForErrors?: string): ParsedIndex | ParsedImageManifest {
  const headerType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (isSchema1Type(headerType)) throw schema1Error(refForErrors);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new RegistryError('invalid', 'unsupported manifest format');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new RegistryError('invalid', 'unsupported manifest format');
  let mt = typeof doc['mediaType'] === 'string' ? (doc['mediaType'] as string) : '';
  if (doc['schemaVersion'] === 1 || isSchema1Type(mt) || 'fsLayers' in doc) throw schema1Error(refForErrors);
  if (!mt) {
    if (isIndexType(headerType) || isImageManifestType(headerType)) mt = headerType;
    else if (Array.isArray(doc['manifests'])) mt = MediaTypes.OCI_INDEX;
    else if (doc['config'] && Array.isArray(doc['layers'])) mt = MediaTypes.OCI_MANIFEST;
  }
  if (isIndexType(mt)) {
    if (!Array.isArray(doc['manifests'])) throw new RegistryError('invalid', `media-type: "${mt}" has no "manifests"`);
    return { kind: 'index', mediaType: mt, manifests: (doc['manifests'] as unknown[]).map(toDescriptor) };
  }
  if (isImageManifestType(mt)) {
    if (!doc['config'] || !Array.isArray(doc['layers'])) {
      throw new RegistryError('invalid', `media-type: "${mt}" has no "config" or "layers"`);
    }
    return {
      kind: 'manifest',
      mediaType: mt,
      config: toDescriptor(doc['config']),
      layers: (doc['layers'] as unknown[]).map(toDescriptor),
    };
  }
  throw new RegistryError('invalid', 'unsupported manifest format');
}

function toDescriptor(v: unknown): Descriptor {
  const d = (v ?? {}) as Record<string, unknown>;
  if (typeof d['digest'] !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d['digest'])) {
    throw new RegistryError('invalid', `invalid descriptor digest ${JSON.stringify(d['digest'])}`);
  }
  const out: Descriptor = {
    mediaType: typeof d['mediaType'] === 'string' ? d['mediaType'] : '',
    digest: d['digest'],
    size: typeof d['size'] === 'number' ? d['size'] : 0,
  };
  if (Array.isArray(d['urls'])) out.urls = (d['urls'] as unknown[]).filter((u): u is string => typeof u === 'string');
  if (d['annotations'] && typeof d['annotations'] === 'object') out.annotations = d['annotations'] as Record<string, string>;
  const p = d['platform'] as Record<string, unknown> | undefined;
  if (p && typeof p === 'object' && typeof p['os'] === 'string' && typeof p['architecture'] === 'string') {
    out.platform = { os: p['os'], architecture: p['architecture'] };
    if (typeof p['variant'] === 'string' && p['variant']) out.platform.variant = p['variant'];
  }
  return out;
}

// ---- digests ---------------------------------------------------------------

const ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

export function computeDigest(data: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(ALGORITHMS[algorithm] ?? 'sha256').update(data).digest('hex')}`;
}

/** True when `data` hashes to `digest` (with the digest's own algorithm). */
export function digestMatches(data: Buffer, digest: string): boolean {
  const algo = digest.split(':')[0]!;
  if (!ALGORITHMS[algo]) return false;
  return computeDigest(data, algo) === digest;
}

// ---- platforms ---------------------------------------------------------------

/** containerd's normalisation: x86_64 -> amd64, aarch64 -> arm64 (v8), arm defaults to v7. */
export function normalizePlatform(p: Platform): Platform {
  let os = (p.os || 'linux').toLowerCase();
  if (os === 'macos') os = 'darwin';
  let arch = (p.architecture || 'amd64').toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (!variant || variant === '7') variant = 'v7';
      else if (/^[5-8]$/.test(variant)) variant = 'v' + variant;
      break;
  }
  return variant ? { os, architecture: arch, variant } : { os, architecture: arch };
}

/** `linux/arm64/v8` as platforms.FormatAll prints it. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => !!s).join('/');
}

/** Variants a host of `p` runs, best first ('' = none, which equals the base variant). */
function compatibleVariants(p: Platform): string[] {
  const v = p.variant ?? '';
  const ladder = (prefix: string, n: number, min: number): string[] => {
    const out: string[] = [];
    for (let i = n; i >= min; i--) out.push(`${prefix}${i}`);
    return out;
  };
  switch (p.architecture) {
    case 'amd64': {
      const n = /^v([1-4])$/.test(v) ? Number(v.slice(1)) : 1;
      return [...ladder('v', n, 2), ''];
    }
    case 'arm': {
      const n = /^v([5-8])$/.test(v) ? Number(v.slice(1)) : 7;
      return ladder('v', n, 5);
    }
    case 'arm64':
      return v ? [v, ''] : [''];
    default:
      return v ? [v] : [];
  }
}

/**
 * Picks the manifest for `want` from an index, dockerd-style: same OS and
 * architecture, variant compatible (an exact variant first), entries in index
 * order otherwise. Throws `no matching manifest for linux/amd64 in the manifest list entries`.
 */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const w = normalizePlatform(want);
  const accepted = compatibleVariants(w);
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of manifests) {
    if (!d.platform) continue;
    if (d.mediaType && !isImageManifestType(d.mediaType) && !isIndexType(d.mediaType)) continue;
    const p = normalizePlatform(d.platform);
    if (p.os !== w.os || p.architecture !== w.architecture) continue;
    let rank: number;
    if (accepted.length === 0) rank = 0;
    else {
      rank = accepted.indexOf(p.variant ?? '');
      if (rank < 0) continue;
    }
    if (!best || rank < best.rank) best = { d, rank };
  }
  if (!best) {
    // containerd prints the normalised platform: linux/arm64 reads linux/arm64/v8.
    const shown = w.architecture === 'arm64' && !w.variant ? { ...w, variant: 'v8' } : w;
    throw new RegistryError('not-found', `no matching manifest for ${formatPlatform(shown)} in the manifest list entries`);
  }
  return best.d;
}
