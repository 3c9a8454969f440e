import type { image } from '@berth/proto';
import type { ApiFeatures } from '../versions/features';

interface ConfigJson {
  architecture?: string; os?: string; variant?: string; created?: string; author?: string; comment?: string;
  docker_version?: string; container?: string;
  config?: Record<string, unknown> & { Labels?: Record<string, string> | null };
  container_config?: Record<string, unknown>;
  rootfs?: { type?: string; diff_ids?: string[] };
}

function parse(img: image.Image): ConfigJson {
  try {
    return JSON.parse(img.configJson) as ConfigJson;
  } catch {
    return {};
  }
}

/** Docker's Config block with every key a client expects present. */
function containerConfig(c: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
    ...(c ?? {}),
  };
}

/** GET /images/json entries (ImageSummary). */
export function imageSummaryView(img: image.Image, features: ApiFeatures): Record<string, unknown> {
  const cfg = parse(img);
  const out: Record<string, unknown> = {
    Containers: img.containers,
    Created: img.created,
    Id: img.id,
    Labels: cfg.config?.Labels ?? null,
    ParentId: img.parent,
    RepoDigests: img.repoDigests,
    RepoTags: img.repoTags,
    SharedSize: -1,
    Size: img.size,
  };
  if (features.imageVirtualSize) out.VirtualSize = img.size;
  return out;
}

/** GET /images/{name}/json (ImageInspect). */
export function imageInspectView(img: image.Image, features: ApiFeatures): Record<string, unknown> {
  const cfg = parse(img);
  const lowers = img.layers.map((l) => l.path).filter(Boolean).reverse();
  const out: Record<string, unknown> = {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Parent: img.parent,
    Comment: cfg.comment ?? '',
    Created: cfg.created ?? '',
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: containerConfig(cfg.config),
    Architecture: cfg.architecture ?? '',
    Os: cfg.os ?? '',
    Size: img.size,
    GraphDriver: {
      Data: lowers.length > 0 ? { LowerDir: lowers.slice(1).join(':') || undefined, UpperDir: lowers[0] } : null,
      Name: 'overlay2',
    },
    RootFS: { Type: cfg.rootfs?.type ?? 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: img.lastTagTime || '0001-01-01T00:00:00Z' },
  };
  if (cfg.variant) out.Variant = cfg.variant;
  if (features.imageContainerConfig) {
    out.Container = cfg.container ?? '';
    out.ContainerConfig = containerConfig(cfg.container_config);
  }
  if (features.imageVirtualSize) out.VirtualSize = img.size;
  return out;
}
