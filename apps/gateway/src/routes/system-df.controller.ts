import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { SystemBackend } from '../backends/system.backend';
import { SYSTEM_BACKEND } from '../backends/tokens';
import { Features } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { imageSummaryView } from '../images/image-view';
import { volumeView } from '../volumes/volume-view';
import { containerSummaryView } from '../containers/container-view';

const TYPES = ['container', 'image', 'volume', 'build-cache'];

/** `GET /system/df` (docker system df): images, containers and volumes with their disk use. */
@Controller('system')
export class SystemDfController {
  constructor(@Inject(SYSTEM_BACKEND) private readonly system: SystemBackend) {}

  @Get('df')
  async df(@Query('type') type: string | string[] | undefined, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const wanted = new Set((type === undefined ? TYPES : Array.isArray(type) ? type : [type]).filter((t) => TYPES.includes(t)));
    const all = wanted.size === 0 ? new Set(TYPES) : wanted;
    // Images count their containers, and containers show their images: either needs both.
    const both = all.has('image') || all.has('container');
    const usage = await this.system.diskUsage({ images: both, containers: both, volumes: all.has('volume') });
    const out: Record<string, unknown> = {};
    const users = new Map<string, number>();
    const summaries = (usage.containers ?? []).map((c) => {
      const view = containerSummaryView(c);
      users.set(String(view.ImageID), (users.get(String(view.ImageID)) ?? 0) + 1);
      return view;
    });
    if (all.has('image')) {
      const list = (usage.images ?? []).map((i) => ({ ...imageSummaryView(i, features), Containers: users.get(i.id) ?? 0 }));
      out.LayersSize = (usage.images ?? []).reduce((n, i) => n + i.size, 0);
      out.Images = list;
    }
    if (all.has('container')) out.Containers = summaries;
    if (all.has('volume')) out.Volumes = (usage.volumes ?? []).map((v) => volumeView(v, true));
    if (all.has('build-cache')) out.BuildCache = [];
    return out;
  }
}
