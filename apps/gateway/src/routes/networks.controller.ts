import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  Filters, NETWORK_CONNECT, NETWORK_CREATE, NETWORK_DISCONNECT, NETWORK_LIST_FILTERS, NETWORK_PRUNE_FILTERS,
} from '@berth/engine-api';
import type { NetworkConnectBody, NetworkCreateBody, NetworkDisconnectBody } from '@berth/engine-api';
import type { NetworkBackend } from '../backends/network.backend';
import { NETWORK_BACKEND } from '../backends/tokens';
import { decodedBody } from '../server/body';
import { Features } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { createNetworkRequest, parseGoBool } from '../networks/network-create';
import { networkView } from '../networks/network-view';

/** The network routes (moby's api/server/router/network): records from network-service, connect/disconnect through container-service. */
@Controller('networks')
export class NetworksController {
  constructor(@Inject(NETWORK_BACKEND) private readonly networks: NetworkBackend) {}

  @Get()
  async list(@Query('filters') rawFilters: string | undefined, @Features() features: ApiFeatures): Promise<unknown[]> {
    const filters = Filters.parse(rawFilters).validate(NETWORK_LIST_FILTERS);
    const res = await this.networks.list({ filters: filters.toList() });
    if (!features.networkListContainers) return res.networks.map((n) => networkView(n, false));
    // Before 1.28 a list is as detailed as an inspect: each network's containers too.
    const detailed = await Promise.all(res.networks.map((n) => this.networks.inspect({ id: n.id, verbose: false, scope: '' }).catch(() => n)));
    return detailed.map((n) => networkView(n));
  }

  @Post('create')
  @HttpCode(201)
  async create(@Req() req: FastifyRequest, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    const body = decodedBody<NetworkCreateBody>(req, NETWORK_CREATE) ?? {};
    const res = await this.networks.create(createNetworkRequest(body, features));
    return { Id: res.id, Warning: res.warning };
  }

  @Post('prune')
  @HttpCode(200)
  async prune(@Query('filters') rawFilters: string | undefined): Promise<Record<string, unknown>> {
    const filters = Filters.parse(rawFilters).validate(NETWORK_PRUNE_FILTERS);
    const res = await this.networks.prune({ filters: filters.toList() });
    return { NetworksDeleted: res.networksDeleted.length > 0 ? res.networksDeleted : null };
  }

  @Get(':id')
  async inspect(@Param('id') id: string, @Query('verbose') verbose: string | undefined, @Query('scope') scope: string | undefined): Promise<Record<string, unknown>> {
    const isVerbose = verbose === undefined || verbose === '' ? false : parseGoBool('verbose', verbose);
    return networkView(await this.networks.inspect({ id, verbose: isVerbose, scope: scope ?? '' }));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.networks.remove({ id, verbose: false, scope: '' });
  }

  @Post(':id/connect')
  @HttpCode(200)
  async connect(@Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    const body = decodedBody<NetworkConnectBody>(req, NETWORK_CONNECT) ?? {};
    await this.networks.connect({
      container: body.Container ?? '',
      network: id,
      endpointConfigJson: body.EndpointConfig ? JSON.stringify(body.EndpointConfig) : '',
    });
  }

  @Post(':id/disconnect')
  @HttpCode(200)
  async disconnect(@Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    const body = decodedBody<NetworkDisconnectBody>(req, NETWORK_DISCONNECT) ?? {};
    await this.networks.disconnect({ container: body.Container ?? '', network: id, force: body.Force ?? false });
  }
}
