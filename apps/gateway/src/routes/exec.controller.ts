import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, versionAtLeast } from '@berth/engine-api';
import type { Logger } from '@berth/logging';
import { ServiceClients } from '../services/service-clients';
import { jsonBody } from '../server/body';
import { apiVersionOf } from '../server/api-version';
import { LOGGER } from '../tokens';
import { ExecStartBody, startExec, startOptions } from '../hijack/exec.hijack';

/** A query integer as dockerd's strconv.Atoi reads it (empty is 0). */
function atoi(v: string | undefined): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!/^[+-]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw ApiError.badRequest(`strconv.Atoi: parsing "${v}": invalid syntax`);
  return n;
}

/** `docker exec`: create, start (detached or the legacy hijack without Upgrade), resize, inspect. */
@Controller()
export class ExecController {
  constructor(private readonly services: ServiceClients, @Inject(LOGGER) private readonly logger: Logger) {}

  @Post('containers/:id/exec')
  @HttpCode(201)
  async create(@Param('id') id: string, @Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const body = jsonBody<Record<string, unknown>>(req);
    if (!body) throw ApiError.badRequest('invalid JSON: got EOF while reading request body');
    const config = { ...body };
    // ConsoleSize arrived with API 1.42
    if (!versionAtLeast(apiVersionOf(req.raw), '1.42')) delete config.ConsoleSize;
    const res = await this.services.exec.create({ containerId: id, configJson: JSON.stringify(config) });
    return { Id: res.id };
  }

  /** The upgraded start (`Upgrade: tcp`) never gets here: hijack/exec.hijack.ts takes it. */
  @Post('exec/:id/start')
  start(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const body = jsonBody<ExecStartBody>(req);
    if (!body) throw ApiError.badRequest('invalid JSON: got EOF while reading request body');
    reply.hijack();
    startExec(this.services, this.logger, req.raw, req.raw.socket, Buffer.alloc(0), startOptions(id, body, apiVersionOf(req.raw)), reply.raw);
  }

  @Post('exec/:id/resize')
  @HttpCode(200)
  async resize(@Param('id') id: string, @Query('h') h: string | undefined, @Query('w') w: string | undefined): Promise<void> {
    const height = atoi(h);
    const width = atoi(w);
    if (height < 0 || width < 0) throw ApiError.badRequest('invalid resize height/width');
    await this.services.exec.resize({ id, height, width });
  }

  @Get('exec/:id/json')
  async inspect(@Param('id') id: string): Promise<unknown> {
    const res = await this.services.exec.inspect({ id });
    return JSON.parse(res.json) as unknown;
  }
}
