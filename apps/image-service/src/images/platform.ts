/** Go's GOARCH for Node's process.arch: what registries and image configs call it. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle' };

export interface Platform { os: string; architecture: string; variant?: string }

/** The container host's platform: the default for pulls, as dockerd's. */
export function hostPlatform(): Platform {
  const architecture = GOARCH[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

/** "os/arch[/variant]", variant only when there is one. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Whether an image made for `image` serves a request for `wanted`: the same
 * os and architecture, and the variant when both name one (an arm64 image
 * without a variant serves v8), as containerd's platform matcher.
 */
export function platformMatches(wanted: Platform, image: Platform): boolean {
  if (wanted.os !== image.os || wanted.architecture !== image.architecture) return false;
  return !wanted.variant || !image.variant || wanted.variant === image.variant;
}

/** "os/arch[/variant]" as the API's `platform` parameter; empty means the host's. */
export function parsePlatform(spec: string): Platform {
  if (spec === '') return hostPlatform();
  const [os, architecture, variant] = spec.split('/');
  return { os: os || 'linux', architecture: architecture || hostPlatform().architecture, ...(variant ? { variant } : {}) };
}
