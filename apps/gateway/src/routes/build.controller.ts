import { Controller, HttpCode, Post } from '@nestjs/common';

/**
 * The builder's cache. Berth builds no images, so it keeps no build cache:
 * a prune finds nothing, as `docker system df` shows no BuildCache. The
 * route exists because `docker system prune` ends with it and fails on a 404.
 */
@Controller('build')
export class BuildController {
  @Post('prune')
  @HttpCode(200)
  prune(): Record<string, unknown> {
    return { CachesDeleted: null, SpaceReclaimed: 0 };
  }
}
