import type { volume } from '@berth/proto';

function mapOrNull(m: Record<string, string> | undefined): Record<string, string> | null {
  return m && Object.keys(m).length > 0 ? m : null;
}

/** A volume as the Engine API shows it (`Volume` in the API reference). */
export function volumeView(v: volume.Volume, withUsage = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: mapOrNull(v.labels),
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: mapOrNull(v.options),
    Scope: v.scope || 'local',
  };
  if (withUsage) out.UsageData = { Size: v.size, RefCount: v.refCount };
  return out;
}
