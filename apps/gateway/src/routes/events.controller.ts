import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, Filters } from '@berth/engine-api';
import { eventMatches, StoredEvent, compareStreamIds } from '@berth/events';
import type { EventsBackend } from '../backends/system.backend';
import { EVENTS_BACKEND } from '../backends/tokens';
import { formatEvent } from '../events/event-format';
import { parseUnixTimestamp } from '../events/timestamps';
import { Features } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';

@Controller('events')
export class EventsController {
  constructor(@Inject(EVENTS_BACKEND) private readonly events: EventsBackend) {}

  @Get()
  async stream(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('since') sinceRaw: string | undefined,
    @Query('until') untilRaw: string | undefined,
    @Query('filters') filtersRaw: string | undefined,
    @Features() features: ApiFeatures,
  ): Promise<void> {
    const since = parseUnixTimestamp('since', sinceRaw);
    const until = parseUnixTimestamp('until', untilRaw);
    if (until !== undefined && until < (since ?? 0)) {
      throw ApiError.badRequest(`\`since\` time (${sinceRaw ?? ''}) cannot be after \`until\` time (${untilRaw})`);
    }
    const filters = Filters.parse(filtersRaw);
    const nowNano = Date.now() * 1e6;
    const onlyPast = until !== undefined && until < nowNano;

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { 'Content-Type': features.eventsContentType });
    res.flushHeaders();

    let closed = false;
    let lastSent = '0-0';
    const send = (entry: StoredEvent): void => {
      if (closed || compareStreamIds(entry.id, lastSent) <= 0) return;
      lastSent = entry.id;
      if (until !== undefined && entry.event.timeNano > until) return;
      if (!eventMatches(entry.event, filters)) return;
      const shown = formatEvent(entry.event, features);
      if (shown) res.write(JSON.stringify(shown) + '\n');
    };

    const pending: StoredEvent[] = [];
    let replaying = true;
    let unsubscribe: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    req.raw.on('close', finish);
    res.on('close', finish);

    try {
      if (!onlyPast) {
        unsubscribe = await this.events.subscribe((entry) => (replaying ? pending.push(entry) : send(entry)));
      }
      if (since !== undefined || until !== undefined) {
        for (const entry of await this.events.readRange(since ?? 0, until)) send(entry);
      }
      replaying = false;
      for (const entry of pending.splice(0)) send(entry);
      if (onlyPast) return finish();
      if (until !== undefined) timer = setTimeout(finish, Math.max(0, (until - Date.now() * 1e6) / 1e6));
    } catch (err) {
      finish();
      throw err;
    }
  }
}
