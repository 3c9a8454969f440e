/** The parts of an image config (image-spec / Docker v1 config) the service reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  config?: ContainerConfigJson;
  container_config?: ContainerConfigJson;
  container?: string;
  docker_version?: string;
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }[];
}

export interface ContainerConfigJson {
  Hostname?: string;
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Healthcheck?: unknown;
  Shell?: string[] | null;
  [key: string]: unknown;
}

export function parseConfig(raw: string | Buffer): ImageConfig {
  const parsed: unknown = JSON.parse(raw.toString());
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('invalid image config: not an object');
  const cfg = parsed as ImageConfig;
  if (!cfg.rootfs || !Array.isArray(cfg.rootfs.diff_ids)) throw new Error('invalid image config: missing rootfs.diff_ids');
  return cfg;
}

export function createdSeconds(cfg: ImageConfig): number {
  const t = cfg.created ? Date.parse(cfg.created) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
}
