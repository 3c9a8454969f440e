import { Controller, Get, Head, Res, Inject } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@berth/logging';
import type { container } from '@berth/proto';
import type { SystemBackend } from '../backends/system.backend';
import { SYSTEM_BACKEND } from '../backends/tokens';
import { infoBody, Inventory, versionBody } from '../system/engine-info';
import { LOGGER } from '../tokens';

/** What /version and /info show of the host while container-service does not answer. */
const UNKNOWN_HOST: container.HostInfo = {
  engineId: '', name: '', ncpu: 0, memTotal: 0, kernelVersion: '', operatingSystem: '', osVersion: '', architecture: '',
  cgroupVersion: '', runcCommit: '', runcVersion: '', backingFilesystem: '', dataRoot: '',
};

const PING_HEADERS = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
  'Builder-Version': '1',
  Swarm: 'inactive',
  'Content-Type': 'text/plain; charset=utf-8',
};

@Controller()
export class SystemController {
  constructor(
    @Inject(SYSTEM_BACKEND) private readonly system: SystemBackend,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('_ping')
  ping(@Res() reply: FastifyReply): void {
    void reply.headers(PING_HEADERS).send('OK');
  }

  @Head('_ping')
  pingHead(@Res() reply: FastifyReply): void {
    void reply.headers({ ...PING_HEADERS, 'Content-Length': '0' }).send();
  }

  @Get('version')
  async version(): Promise<Record<string, unknown>> {
    // The CLI prints the client half even without the host's facts: answer with what is known.
    const facts = await this.system.hostInfo().catch((err: unknown) => {
      this.logger.warn('host facts unavailable', { error: err instanceof Error ? err.message : String(err) });
      return UNKNOWN_HOST;
    });
    return versionBody(facts);
  }

  @Get('info')
  async info(): Promise<Record<string, unknown>> {
    const warnings: string[] = [];
    const ask = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn();
      } catch (err) {
        warnings.push(`WARNING: the ${name} service did not answer: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    };
    const [host, images] = await Promise.all([
      ask('container', () => Promise.all([this.system.hostInfo(), this.system.containerCounts()])),
      ask('image', () => this.system.imageCounts()),
    ]);
    const [facts, containers] = host ?? [undefined, undefined];
    const inventory: Inventory = {
      containers: containers?.containers ?? 0,
      running: containers?.running ?? 0,
      paused: containers?.paused ?? 0,
      stopped: containers?.stopped ?? 0,
      images: images?.images ?? 0,
    };
    if (warnings.length > 0) this.logger.warn('info is incomplete', { warnings });
    return infoBody(facts ?? UNKNOWN_HOST, inventory, this.system.eventFollowers(), warnings);
  }

  @Get('plugins')
  plugins(): unknown[] {
    return [];
  }
}
