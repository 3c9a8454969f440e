import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DistributionBackend } from '../backends/image.backend';
import { DISTRIBUTION_BACKEND } from '../backends/tokens';
import { jsonBody } from '../server/body';

interface AuthBody { username?: unknown; password?: unknown; serveraddress?: unknown; identitytoken?: unknown }

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Registry-facing routes: docker login (POST /auth) and GET /distribution/{name}/json. */
@Controller()
export class DistributionController {
  constructor(@Inject(DISTRIBUTION_BACKEND) private readonly registry: DistributionBackend) {}

  @Post('auth')
  @HttpCode(200)
  async auth(@Req() req: FastifyRequest): Promise<Record<string, string>> {
    const body = jsonBody<AuthBody>(req) ?? {};
    const res = await this.registry.login({
      serverAddress: str(body.serveraddress), username: str(body.username), password: str(body.password), identityToken: str(body.identitytoken),
    });
    return { Status: res.status, IdentityToken: res.identityToken };
  }

  /** The name is one segment by then: see server/name-paths.ts. */
  @Get('distribution/:name/json')
  async distribution(@Param('name') name: string, @Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const res = await this.registry.distributionInspect({ name, registryAuth: (req.headers['x-registry-auth'] as string | undefined) ?? '' });
    return { Descriptor: JSON.parse(res.descriptorJson), Platforms: JSON.parse(res.platformsJson) };
  }
}
