import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '@berth/engine-api';
import { ServiceClients } from '../services/service-clients';
import { jsonBody } from '../server/body';

interface AuthBody { username?: unknown; password?: unknown; serveraddress?: unknown; identitytoken?: unknown }

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Registry-facing routes: docker login (POST /auth) and GET /distribution/{name}/json. */
@Controller()
export class DistributionController {
  constructor(private readonly services: ServiceClients) {}

  @Post('auth')
  @HttpCode(200)
  async auth(@Req() req: FastifyRequest): Promise<Record<string, string>> {
    const body = jsonBody<AuthBody>(req) ?? {};
    const res = await this.services.image.login({
      serverAddress: str(body.serveraddress), username: str(body.username), password: str(body.password), identityToken: str(body.identitytoken),
    });
    return { Status: res.status, IdentityToken: res.identityToken };
  }

  @Get('distribution/*')
  async distribution(@Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const path = (req.params as Record<string, string>)['*'] ?? '';
    const m = /^(.+)\/json$/.exec(path);
    if (!m) throw ApiError.notFound('page not found');
    const res = await this.services.image.distributionInspect({ name: decodeURIComponent(m[1]), registryAuth: (req.headers['x-registry-auth'] as string | undefined) ?? '' });
    return { Descriptor: JSON.parse(res.descriptorJson), Platforms: JSON.parse(res.platformsJson) };
  }
}
