/** Go's GOARCH for Node's process.arch: what registries and image configs call it. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle' };

export interface Platform { os: string; architecture: string; variant?: string }

/** The container host's platform: the default for pulls, as dockerd's. */
export function hostPlatform(): Platform {
  const architecture = GOARCH[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

/** "os/arch[/variant]" as the API's `platform` parameter; empty means the host's. */
export function parsePlatform(spec: string): Platform {
  if (spec === '') return hostPlatform();
  const [os, architecture, variant] = spec.split('/');
  return { os: os || 'linux', architecture: architecture || hostPlatform().architecture, ...(variant ? { variant } : {}) };
}
