import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError, Filters } from '@berth/engine-api';
import type { VolumeBackend } from '../backends/volume.backend';
import { VOLUME_BACKEND } from '../backends/tokens';
import { jsonBody } from '../server/body';
import { Features, queryBool } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { volumeView } from '../volumes/volume-view';

interface VolumeCreateBody {
  Name?: unknown;
  Driver?: unknown;
  DriverOpts?: unknown;
  Labels?: unknown;
  ClusterVolumeSpec?: unknown;
}

function stringField(body: VolumeCreateBody, key: keyof VolumeCreateBody): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw ApiError.badRequest(`json: cannot unmarshal ${typeof v} into Go struct field CreateOptions.${key} of type string`);
  return v;
}

function stringMap(body: VolumeCreateBody, key: keyof VolumeCreateBody): Record<string, string> {
  const v = body[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw ApiError.badRequest(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field CreateOptions.${key} of type map[string]string`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw ApiError.badRequest(`json: cannot unmarshal ${typeof val} into Go struct field CreateOptions.${key} of type string`);
    out[k] = val;
  }
  return out;
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
    const body = jsonBody<VolumeCreateBody>(req) ?? {};
    if (body.ClusterVolumeSpec !== undefined && body.ClusterVolumeSpec !== null) {
      throw new ApiError(503, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    }
    const created = await this.volumes.create({
      name: stringField(body, 'Name'),
      driver: stringField(body, 'Driver'),
      driverOpts: stringMap(body, 'DriverOpts'),
      labels: stringMap(body, 'Labels'),
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
