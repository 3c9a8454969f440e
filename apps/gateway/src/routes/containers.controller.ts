import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError, Filters } from '@berth/engine-api';
import { ServiceClients } from '../services/service-clients';
import { jsonBody } from '../server/body';
import { queryBool } from '../server/request-context';
import { containerInspectView, containerSummaryView, parseRecord } from '../containers/container-view';

interface ContainerCreateBody {
  Image?: unknown;
  HostConfig?: unknown;
  NetworkingConfig?: unknown;
  [key: string]: unknown;
}

function objectField(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw ApiError.badRequest(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field CreateRequest.${field}`);
  return v as Record<string, unknown>;
}

/** Container records: create, list, inspect, rename, remove, prune. */
@Controller('containers')
export class ContainersController {
  constructor(private readonly services: ServiceClients) {}

  @Get('json')
  async list(@Query() q: Record<string, unknown>): Promise<unknown[]> {
    const filters = Filters.parse(q.filters as string | undefined);
    const limit = q.limit === undefined || q.limit === '' ? 0 : Number(q.limit);
    if (!Number.isInteger(limit)) throw ApiError.badRequest(`strconv.Atoi: parsing "${String(q.limit)}": invalid syntax`);
    const res = await this.services.container.list({ all: queryBool(q.all), limit, filters: filters.toList() });
    return res.containers.map((c) => containerSummaryView(parseRecord(c.recordJson)));
  }

  @Post('create')
  @HttpCode(201)
  async create(@Req() req: FastifyRequest, @Query('name') name: string | undefined, @Query('platform') platform: string | undefined): Promise<Record<string, unknown>> {
    const body = jsonBody<ContainerCreateBody>(req);
    if (!body) throw ApiError.badRequest('config cannot be empty in order to create a container');
    const { HostConfig, NetworkingConfig, ...config } = body;
    const image = typeof config.Image === 'string' ? config.Image : '';
    if (image === '') throw ApiError.badRequest('No image specified');
    const img = await this.services.image.inspect({ name: image });
    const res = await this.services.container.create({
      name: name ?? '',
      configJson: JSON.stringify(config),
      hostConfigJson: JSON.stringify(objectField(HostConfig, 'HostConfig')),
      networkingConfigJson: JSON.stringify(objectField(NetworkingConfig, 'NetworkingConfig')),
      image,
      imageId: img.id,
      imageConfigJson: img.configJson,
      platform: platform ?? '',
      // overlay wants the topmost layer first
      layerPaths: img.layers.map((l) => l.path).reverse(),
    });
    return { Id: res.id, Warnings: res.warnings };
  }

  @Post('prune')
  @HttpCode(200)
  async prune(@Query('filters') rawFilters: string | undefined): Promise<Record<string, unknown>> {
    const res = await this.services.container.prune({ filters: Filters.parse(rawFilters).toList() });
    return { ContainersDeleted: res.containersDeleted.length > 0 ? res.containersDeleted : null, SpaceReclaimed: res.spaceReclaimed };
  }

  @Get(':id/json')
  async inspect(@Param('id') id: string): Promise<Record<string, unknown>> {
    const c = await this.services.container.inspect({ id });
    return containerInspectView(parseRecord(c.recordJson));
  }

  @Post(':id/rename')
  @HttpCode(204)
  async rename(@Param('id') id: string, @Query('name') name: string | undefined): Promise<void> {
    await this.services.container.rename({ id, name: name ?? '' });
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Query() q: Record<string, unknown>): Promise<void> {
    if (queryBool(q.link)) throw ApiError.badRequest('Conflict, cannot remove the default link name of the container');
    await this.services.container.remove({ id, force: queryBool(q.force), removeVolumes: queryBool(q.v) });
  }
}
