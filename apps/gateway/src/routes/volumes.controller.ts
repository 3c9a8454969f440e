import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError, Filters, VOLUME_CREATE } from '@berth/engine-api';
import type { VolumeBackend } from '../backends/volume.backend';
import { VOLUME_BACKEND } from '../backends/tokens';
import { decodedBody } from '../server/body';
import { Features, queryBool } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { volumeView } from '../volumes/volume-view';

/** volume.CreateOptions once decoded (server/body.ts): every field of its type. */
interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
  ClusterVolumeSpec?: unknown;
}

@Controller('volumes')
export class VolumesController {
  constructor(@Inject(VOLUME_BACKEND) private readonly volumes: VolumeBackend) {}

  @Get()
  async list(@Query('filters') rawFilters: string | undefined): Promise<Record<string, unknown>> {
    const filters = Filters.parse(rawFilters);
    const res = await this.volumes.list({ filters: filters.toList(), withSize: false });
    return { Volumes: res.volumes.map((v) => volumeView(v)), Warnings: res.warnings.length > 0 ? res.warnings : null };
  }

  @Post('create')
  @HttpCode(201)
  async create(@Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const body = decodedBody<VolumeCreateBody>(req, VOLUME_CREATE) ?? {};
    if (body.ClusterVolumeSpec !== undefined && body.ClusterVolumeSpec !== null) {
      throw new ApiError(503, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    }
    const created = await this.volumes.create({
      name: body.Name ?? '',
      driver: body.Driver ?? '',
      driverOpts: body.DriverOpts ?? {},
      labels: body.Labels ?? {},
      anonymous: false,
    });
    return volumeView(created);
  }

  @Post('prune')
  @HttpCode(200)
  async prune(@Query('filters') rawFilters: string | undefined, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const filters = Filters.parse(rawFilters);
    let onlyAnonymous = features.volumePruneOnlyAnonymous;
    if (filters.contains('all')) {
      if (!features.volumePruneAllFilter) throw ApiError.badRequest("invalid filter 'all'");
      onlyAnonymous = !filters.getBool('all', false);
    }
    const list = filters.toList().filter((f) => f.key !== 'all');
    const res = await this.volumes.prune({ filters: list, onlyAnonymous });
    return { VolumesDeleted: res.volumesDeleted.length > 0 ? res.volumesDeleted : null, SpaceReclaimed: res.spaceReclaimed };
  }

  @Get(':name')
  async inspect(@Param('name') name: string): Promise<Record<string, unknown>> {
    return volumeView(await this.volumes.inspect({ name }));
  }

  @Put(':name')
  update(): never {
    throw new ApiError(503, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string, @Query('force') force: string | undefined): Promise<void> {
    await this.volumes.remove({ name, force: queryBool(force) });
  }
}
