import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DistributionBackend } from '../backends/image.backend';
import { DISTRIBUTION_BACKEND } from '../backends/tokens';
import { AUTH_CONFIG } from '@berth/engine-api';
import { decodedBody } from '../server/body';
import { registryAuthOf } from '../server/registry-auth';

/** registry.AuthConfig once decoded (server/body.ts). */
interface AuthBody { username?: string; password?: string; serveraddress?: string; identitytoken?: string }

/** Registry-facing routes: docker login (POST /auth) and GET /distribution/{name}/json. */
@Controller()
export class DistributionController {
  constructor(@Inject(DISTRIBUTION_BACKEND) private readonly registry: DistributionBackend) {}

  @Post('auth')
  @HttpCode(200)
  async auth(@Req() req: FastifyRequest): Promise<Record<string, string>> {
    const body = decodedBody<AuthBody>(req, AUTH_CONFIG) ?? {};
    const res = await this.registry.login({
      serverAddress: body.serveraddress ?? '', username: body.username ?? '', password: body.password ?? '', identityToken: body.identitytoken ?? '',
    });
    return { Status: res.status, IdentityToken: res.identityToken };
  }

  /** The name is one segment by then: see server/name-paths.ts. */
  @Get('distribution/:name/json')
  async distribution(@Param('name') name: string, @Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const res = await this.registry.distributionInspect({ name, registryAuth: registryAuthOf(req) });
    return { Descriptor: JSON.parse(res.descriptorJson), Platforms: JSON.parse(res.platformsJson) };
  }
}
