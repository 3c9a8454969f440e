import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, CONTAINER_CREATE, CONTAINER_UPDATE, Filters, toApiError } from '@berth/engine-api';
import type { ContainerConfig, ContainerUpdateRequest, HostConfig as HostConfigBody, NetworkingConfig as NetworkingConfigBody } from '@berth/engine-api';
import type { ContainerBackend, ContainerCreateRequest } from '../backends/container.backend';
import { CONTAINER_BACKEND } from '../backends/tokens';
import { ContainerAttach } from '../hijack/attach.hijack';
import { decodedBody } from '../server/body';
import { Features, queryBool } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { applyNetworkingCompat } from '../containers/networking-compat';
import { queryInt } from '../server/query';
import { redactError } from '../server/redact';
import { containerInspectView, containerSummaryView } from '../containers/container-view';

/** The create body once decoded (server/body.ts): Config's fields beside HostConfig and NetworkingConfig. */
export type ContainerCreateBody = ContainerConfig & { HostConfig?: HostConfigBody; NetworkingConfig?: NetworkingConfigBody };

/** The create body as dockerd splits it: Config fields, HostConfig, NetworkingConfig. */
export function containerCreateRequest(body: ContainerCreateBody | undefined, name: string | undefined, platform: string | undefined): ContainerCreateRequest {
  if (!body) throw ApiError.badRequest('config cannot be empty in order to create a container');
  const { HostConfig, NetworkingConfig, ...config } = body;
  const image = config.Image ?? '';
  if (image === '') throw ApiError.badRequest('No image specified');
  return {
    name: name ?? '',
    config,
    hostConfig: HostConfig ?? {},
    networkingConfig: NetworkingConfig ?? {},
    image,
    platform: platform ?? '',
  };
}

/** Container records and their lifecycle: create, list, inspect, start, stop, wait, remove, prune... */
@Controller('containers')
export class ContainersController {
  constructor(
    @Inject(CONTAINER_BACKEND) private readonly containers: ContainerBackend,
    private readonly attacher: ContainerAttach,
  ) {}

  @Get('json')
  async list(@Query() q: Record<string, unknown>): Promise<unknown[]> {
    const filters = Filters.parse(q.filters as string | undefined);
    const limit = queryInt(q.limit);
    const size = queryBool(q.size);
    const res = await this.containers.list({ all: queryBool(q.all), limit, filters: filters.toList(), size });
    return res.containers.map(containerSummaryView);
  }

  @Post('create')
  @HttpCode(201)
  async create(
    @Req() req: FastifyRequest,
    @Query('name') name: string | undefined,
    @Query('platform') platform: string | undefined,
    @Features() features: ApiFeatures,
  ): Promise<Record<string, unknown>> {
    const request = containerCreateRequest(decodedBody<ContainerCreateBody>(req, CONTAINER_CREATE), name, platform);
    const warnings = applyNetworkingCompat(request, features);
    const res = await this.containers.create(request);
    return { Id: res.id, Warnings: [...res.warnings, ...warnings] };
  }

  @Post('prune')
  @HttpCode(200)
  async prune(@Query('filters') rawFilters: string | undefined): Promise<Record<string, unknown>> {
    const res = await this.containers.prune({ filters: Filters.parse(rawFilters).toList() });
    return { ContainersDeleted: res.containersDeleted.length > 0 ? res.containersDeleted : null, SpaceReclaimed: res.spaceReclaimed };
  }

  @Get(':id/json')
  async inspect(@Param('id') id: string, @Query('size') size: string | undefined, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const withSize = queryBool(size);
    const c = await this.containers.inspect({ id, size: withSize });
    return containerInspectView(c, features);
  }

  @Post(':id/rename')
  @HttpCode(204)
  async rename(@Param('id') id: string, @Query('name') name: string | undefined): Promise<void> {
    await this.containers.rename({ id, name: name ?? '' });
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Query() q: Record<string, unknown>): Promise<void> {
    if (queryBool(q.link)) throw ApiError.badRequest('Conflict, cannot remove the default link name of the container');
    await this.containers.remove({ id, force: queryBool(q.force), removeVolumes: queryBool(q.v) });
  }

  @Post(':id/start')
  async start(@Param('id') id: string, @Query('detachKeys') detachKeys: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const res = await this.containers.start({ id, detachKeys: detachKeys ?? '' });
    reply.status(res.changed ? 204 : 304);
  }

  @Post(':id/stop')
  async stop(@Param('id') id: string, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const res = await this.containers.stop(stopRequest(id, q));
    reply.status(res.changed ? 204 : 304);
  }

  @Post(':id/restart')
  @HttpCode(204)
  async restart(@Param('id') id: string, @Query() q: Record<string, unknown>): Promise<void> {
    await this.containers.restart(stopRequest(id, q));
  }

  @Post(':id/kill')
  @HttpCode(204)
  async kill(@Param('id') id: string, @Query('signal') signal: string | undefined): Promise<void> {
    await this.containers.kill({ id, signal: signal ?? '' });
  }

  @Post(':id/pause')
  @HttpCode(204)
  async pause(@Param('id') id: string): Promise<void> {
    await this.containers.pause({ id, size: false });
  }

  @Post(':id/unpause')
  @HttpCode(204)
  async unpause(@Param('id') id: string): Promise<void> {
    await this.containers.unpause({ id, size: false });
  }

  /** dockerd sends the 200 header at once and the body when the condition is met. */
  @Post(':id/wait')
  async wait(@Param('id') id: string, @Query('condition') condition: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const cond = condition ?? '';
    if (!['', 'not-running', 'next-exit', 'removed'].includes(cond)) throw ApiError.badRequest(`invalid condition: "${cond}"`);
    await this.containers.inspect({ id, size: false });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const pending = this.containers.wait({ id, condition: cond });
    const onClose = (): void => pending.cancel();
    res.on('close', onClose);
    let body: Record<string, unknown>;
    try {
      const out = await pending.result;
      body = { StatusCode: out.statusCode, Error: out.error ? { Message: out.error } : null };
    } catch (err) {
      body = { StatusCode: -1, Error: { Message: redactError(500, toApiError(err).message) } };
    }
    res.off('close', onClose);
    if (!res.writableEnded && !res.destroyed) res.end(JSON.stringify(body) + '\n');
  }

  @Post(':id/resize')
  @HttpCode(200)
  async resize(@Param('id') id: string, @Query('h') h: string | undefined, @Query('w') w: string | undefined): Promise<void> {
    const height = queryInt(h);
    const width = queryInt(w);
    if (height < 0) throw ApiError.badRequest(`strconv.Atoi: parsing "${h}": invalid syntax`);
    if (width < 0) throw ApiError.badRequest(`strconv.Atoi: parsing "${w}": invalid syntax`);
    await this.containers.resize({ id, height, width });
  }

  @Post(':id/update')
  @HttpCode(200)
  async update(@Param('id') id: string, @Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const body = decodedBody<ContainerUpdateRequest>(req, CONTAINER_UPDATE) ?? {};
    const res = await this.containers.update({ id, updateJson: JSON.stringify(body) });
    return { Warnings: res.warnings.length > 0 ? res.warnings : null };
  }

  /** The legacy hijack (no Upgrade header) arrives through the router; the upgraded one never does. */
  @Post(':id/attach')
  attach(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    this.attacher.attach(req.raw, req.raw.socket, Buffer.alloc(0), id, 'stream');
  }
}

function stopRequest(id: string, q: Record<string, unknown>): { id: string; hasTimeout: boolean; timeout: number; signal: string } {
  const t = q.t === undefined || q.t === '' ? undefined : queryInt(q.t);
  return { id, hasTimeout: t !== undefined, timeout: t ?? 0, signal: typeof q.signal === 'string' ? q.signal : '' };
}
