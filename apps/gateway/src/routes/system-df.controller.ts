import { Controller, Get, Query } from '@nestjs/common';
import { ServiceClients } from '../services/service-clients';
import { Features } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { imageSummaryView } from '../images/image-view';
import { volumeView } from '../volumes/volume-view';
import { containerSummaryView, parseRecord } from '../containers/container-view';

const TYPES = ['container', 'image', 'volume', 'build-cache'];

/** `GET /system/df` (docker system df): images, containers and volumes with their disk use. */
@Controller('system')
export class SystemDfController {
  constructor(private readonly services: ServiceClients) {}

  @Get('df')
  async df(@Query('type') type: string | string[] | undefined, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const wanted = new Set((type === undefined ? TYPES : Array.isArray(type) ? type : [type]).filter((t) => TYPES.includes(t)));
    const all = wanted.size === 0 ? new Set(TYPES) : wanted;
    const [images, containers, volumes] = await Promise.all([
      all.has('image') || all.has('container') ? this.services.image.list({ filters: [], all: false }) : undefined,
      all.has('container') || all.has('image') ? this.services.container.list({ all: true, limit: 0, filters: [], size: true }) : undefined,
      all.has('volume') ? this.services.volume.list({ filters: [], withSize: true }) : undefined,
    ]);
    const out: Record<string, unknown> = {};
    const users = new Map<string, number>();
    const summaries = (containers?.containers ?? []).map((c) => {
      const view = containerSummaryView(parseRecord(c.recordJson), c);
      users.set(String(view.ImageID), (users.get(String(view.ImageID)) ?? 0) + 1);
      return view;
    });
    if (all.has('image')) {
      const list = (images?.images ?? []).map((i) => ({ ...imageSummaryView(i, features), Containers: users.get(i.id) ?? 0 }));
      out.LayersSize = (images?.images ?? []).reduce((n, i) => n + i.size, 0);
      out.Images = list;
    }
    if (all.has('container')) out.Containers = summaries;
    if (all.has('volume')) out.Volumes = (volumes?.volumes ?? []).map((v) => volumeView(v, true));
    if (all.has('build-cache')) out.BuildCache = [];
    return out;
  }
}
