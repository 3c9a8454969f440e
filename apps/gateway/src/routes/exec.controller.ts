import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, EXEC_CREATE, EXEC_START } from '@berth/engine-api';
import type { ExecBackend } from '../backends/exec.backend';
import { EXEC_BACKEND } from '../backends/tokens';
import { decodedBody } from '../server/body';
import { Features } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { ExecStart, ExecStartBody } from '../hijack/exec.hijack';

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
  constructor(@Inject(EXEC_BACKEND) private readonly exec: ExecBackend, private readonly starter: ExecStart) {}

  @Post('containers/:id/exec')
  @HttpCode(201)
  async create(@Param('id') id: string, @Req() req: FastifyRequest, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const body = decodedBody<Record<string, unknown>>(req, EXEC_CREATE);
    if (!body) throw ApiError.badRequest('invalid JSON: got EOF while reading request body');
    const config = { ...body };
    if (!features.execConsoleSize) delete config.ConsoleSize;
    const res = await this.exec.create({ containerId: id, configJson: JSON.stringify(config) });
    return { Id: res.id };
  }

  /** The upgraded start (`Upgrade: tcp`) reaches the same entry point through the UpgradeRouter. */
  @Post('exec/:id/start')
  start(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const body = decodedBody<ExecStartBody>(req, EXEC_START);
    if (!body) throw ApiError.badRequest('invalid JSON: got EOF while reading request body');
    reply.hijack();
    this.starter.start(req.raw, req.raw.socket, Buffer.alloc(0), id, { body, res: reply.raw });
  }

  @Post('exec/:id/resize')
  @HttpCode(200)
  async resize(@Param('id') id: string, @Query('h') h: string | undefined, @Query('w') w: string | undefined): Promise<void> {
    const height = atoi(h);
    const width = atoi(w);
    if (height < 0 || width < 0) throw ApiError.badRequest('invalid resize height/width');
    await this.exec.resize({ id, height, width });
  }

  @Get('exec/:id/json')
  async inspect(@Param('id') id: string): Promise<unknown> {
    const res = await this.exec.inspect({ id });
    return JSON.parse(res.json) as unknown;
  }
}
