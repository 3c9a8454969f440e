import type { ContainerRecord } from '@berth/engine-api';

/** The part of a record the list view reads (see ListContainersResponse). */
export function summaryRecord(r: ContainerRecord): Record<string, unknown> {
  const labels = (r.Config as { Labels?: unknown }).Labels;
  return {
    Id: r.Id,
    Name: r.Name,
    Created: r.Created,
    Path: r.Path,
    Args: r.Args,
    ImageName: r.ImageName,
    Image: r.Image,
    Config: labels ? { Labels: labels } : {},
    HostConfig: { NetworkMode: r.HostConfig.NetworkMode },
    Platform: r.Platform,
    State: r.State,
    NetworkSettings: r.NetworkSettings ? { Networks: r.NetworkSettings.Networks } : undefined,
    Mounts: r.Mounts,
  };
}

/** Summary JSON by the full record's JSON text: records that did not change are not summarised again. */
export class SummaryCache {
  private readonly cache = new Map<string, { json: string; summary: string }>();

  of(id: string, json: string, record: ContainerRecord): string {
    const hit = this.cache.get(id);
    if (hit && hit.json === json) return hit.summary;
    const summary = JSON.stringify(summaryRecord(record));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { json, summary });
    return summary;
  }
}
