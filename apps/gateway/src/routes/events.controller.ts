import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, Filters } from '@berth/engine-api';
import { EventFollower, FollowEnd } from '@berth/events';
import type { EventsBackend } from '../backends/system.backend';
import { EVENTS_BACKEND } from '../backends/tokens';
import { ResponseOutput } from '../events/response-output';
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
    const follower = new EventFollower(this.events, new ResponseOutput(reply.raw, filters, features), {
      sinceNano: since,
      untilNano: until,
      nowNano: Date.now() * 1e6,
    });

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { 'Content-Type': features.eventsContentType });
    res.flushHeaders();
    const gone = (): void => follower.close();
    req.raw.on('close', gone);
    res.on('close', gone);

    let end: FollowEnd;
    try {
      end = await follower.run();
    } catch (err) {
      if (!res.writableEnded) res.end();
      throw err;
    }
    // A follower that fell behind may have a socket full of unread events:
    // destroying it frees them, where end() would wait for a reader that never comes.
    if (end === 'done') res.end();
    else res.destroy();
  }
}
