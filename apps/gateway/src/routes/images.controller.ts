import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, Filters, toApiError } from '@berth/engine-api';
import type { common, image } from '@berth/proto';
import type { PullRequest, PushRequest } from '@berth/jobs';
import type { ImageBackend } from '../backends/image.backend';
import { IMAGE_BACKEND } from '../backends/tokens';
import { Features, queryBool } from '../server/request-context';
import { queryInt } from '../server/query';
import { registryAuthOf } from '../server/registry-auth';
import type { ApiFeatures } from '../versions/features';
import { imageInspectView, imageSummaryView } from '../images/image-view';
import { errorMessage, startJsonStream, streamProgress } from '../streams/json-lines';
import { pullReference, referenceString, withDefaultTag } from '@berth/reference';

function queryList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== '');
}

function deleteItems(items: image.DeleteItem[]): Record<string, string>[] {
  return items.map((i): Record<string, string> => (i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}

/** The canonical reference a pull or push job is keyed by (`latest` when no tag or digest). */
function jobReference(name: string, tag: string): string {
  try {
    const ref = pullReference(name, tag || undefined);
    return referenceString(ref.tag || ref.digest ? ref : withDefaultTag(ref));
  } catch (err) {
    throw ApiError.badRequest(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Image routes. Names contain slashes: server/name-paths.ts makes the name of
 * a per-image path one segment before routing, so `:name` is the whole name.
 */
@Controller('images')
export class ImagesController {
  constructor(@Inject(IMAGE_BACKEND) private readonly images: ImageBackend) {}

  @Get('json')
  async list(@Query() q: Record<string, unknown>, @Features() features: ApiFeatures): Promise<unknown[]> {
    const filters = Filters.parse(q.filters as string | undefined);
    // `filter=name` is the pre-1.25 spelling of reference=name.
    const legacy = queryList(q.filter);
    const list = filters.toList();
    if (legacy.length > 0) list.push({ key: 'reference', values: legacy });
    const res = await this.images.list({ filters: list, all: queryBool(q.all) });
    return res.images.map((i) => imageSummaryView(i, features));
  }

  @Post('prune')
  @HttpCode(200)
  async prune(@Query('filters') rawFilters: string | undefined): Promise<Record<string, unknown>> {
    const res = await this.images.prune({ filters: Filters.parse(rawFilters).toList() });
    return { ImagesDeleted: res.items.length > 0 ? deleteItems(res.items) : null, SpaceReclaimed: res.spaceReclaimed };
  }

  @Post('load')
  load(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('quiet') quiet: string | undefined): void {
    void quiet; // progress lines are few; the CLI shows what it is given either way
    const stream = startJsonStream(reply);
    const call = this.images.load(req.raw);
    call.on('data', (msg: image.ProgressMessage) => stream.line(msg.json));
    call.on('error', (err) => { stream.line(errorMessage(toApiError(err).message)); stream.end(); });
    call.on('end', () => stream.end());
    reply.raw.on('close', () => { if (!reply.raw.writableFinished) call.cancel(); });
  }

  @Get('search')
  async search(@Req() req: FastifyRequest, @Query() q: Record<string, string | undefined>): Promise<unknown[]> {
    const term = q.term ?? '';
    if (term === '') throw ApiError.badRequest('term is required');
    const filters = Filters.parse(q.filters).validate(['is-automated', 'is-official', 'stars']);
    const limit = queryInt(q.limit, 25);
    if (limit < 1 || limit > 100) throw ApiError.badRequest(`limit ${q.limit} is outside the range of [1, 100]`);
    const minStars = filters.get('stars').map(Number);
    if (minStars.some((n) => !Number.isFinite(n))) throw ApiError.badRequest(`invalid filter 'stars=${filters.get('stars').join(',')}'`);
    const official = filters.contains('is-official') ? filters.getBool('is-official', false) : undefined;
    const automated = filters.contains('is-automated') ? filters.getBool('is-automated', false) : undefined;
    const res = await this.images.search({ term, limit, registryAuth: registryAuthOf(req) });
    return res.results
      .filter((r) => minStars.every((n) => r.starCount >= n))
      .filter((r) => official === undefined || r.isOfficial === official)
      .filter((r) => automated === undefined || r.isAutomated === automated)
      .map((r) => ({ star_count: r.starCount, is_official: r.isOfficial, name: r.name, is_automated: r.isAutomated, description: r.description }));
  }

  @Get('get')
  async saveMany(@Query() q: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    await this.save(queryList(q.names), reply);
  }

  @Post('create')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Record<string, string | string[] | undefined>): Promise<void> {
    const fromSrc = q.fromSrc as string | undefined;
    const fromImage = q.fromImage as string | undefined;
    if (fromSrc !== undefined && fromSrc !== '') {
      if (fromSrc !== '-') throw ApiError.badRequest('importing from a URL is not supported: pass the archive in the request body (fromSrc=-)');
      return this.importFromBody(req, reply, q);
    }
    if (fromImage) return this.pull(req, reply, fromImage, (q.tag as string | undefined) ?? '', (q.platform as string | undefined) ?? '');
    throw ApiError.badRequest('either fromImage or fromSrc is required');
  }

  private async pull(req: FastifyRequest, reply: FastifyReply, fromImage: string, tag: string, platform: string): Promise<void> {
    const reference = jobReference(fromImage, tag);
    const job: PullRequest = { reference, platform: platform ?? '', registryAuth: registryAuthOf(req) || undefined };
    await streamProgress(reply, (onProgress) => this.images.pull(job, onProgress));
  }

  private async importFromBody(req: FastifyRequest, reply: FastifyReply, q: Record<string, string | string[] | undefined>): Promise<void> {
    const options: image.ImportOptions = {
      repo: (q.repo as string | undefined) ?? '',
      tag: (q.tag as string | undefined) ?? '',
      changes: queryList(q.changes),
      message: (q.message as string | undefined) ?? '',
      platform: (q.platform as string | undefined) ?? '',
    };
    const id = await this.images.importImage(options, req.raw);
    const stream = startJsonStream(reply);
    stream.line({ status: id });
    stream.end();
  }

  private async save(names: string[], reply: FastifyReply): Promise<void> {
    if (names.length === 0) throw ApiError.badRequest('no images named');
    for (const name of names) await this.images.inspect({ name });
    const call = this.images.save({ names });
    const res = reply.raw;
    let started = false;
    await new Promise<void>((resolve, reject) => {
      call.on('data', (msg: common.DataChunk) => {
        if (!started) {
          started = true;
          reply.hijack();
          res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        }
        if (!res.write(msg.data)) { call.pause(); res.once('drain', () => call.resume()); }
      });
      call.on('end', () => { if (started) res.end(); resolve(); });
      call.on('error', (err) => { if (started) { res.destroy(); resolve(); } else reject(err); });
      res.on('close', () => call.cancel());
    });
  }

  @Get(':name/json')
  async inspect(@Param('name') name: string, @Features() features: ApiFeatures): Promise<Record<string, unknown>> {
    return imageInspectView(await this.images.inspect({ name }), features);
  }

  @Get(':name/history')
  async history(@Param('name') name: string): Promise<unknown[]> {
    const res = await this.images.history({ name });
    return res.entries.map((e) => ({ Id: e.id, Created: e.created, CreatedBy: e.createdBy, Tags: e.tags.length > 0 ? e.tags : null, Size: e.size, Comment: e.comment }));
  }

  @Get(':name/get')
  async saveOne(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    await this.save([name], reply);
  }

  @Post(':name/tag')
  @HttpCode(201)
  async tag(@Param('name') name: string, @Query('repo') repo: string | undefined, @Query('tag') tag: string | undefined): Promise<void> {
    await this.images.tag({ source: name, repo: repo ?? '', tag: tag ?? '' });
  }

  @Post(':name/push')
  async push(@Param('name') name: string, @Query('tag') tag: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const reference = jobReference(name, tag ?? '');
    try {
      await this.images.inspect({ name: reference });
    } catch (err) {
      if (toApiError(err).statusCode === 404) throw ApiError.notFound(`An image does not exist locally with the tag: ${name}`);
      throw err;
    }
    const job: PushRequest = { reference, registryAuth: registryAuthOf(req) || undefined };
    await streamProgress(reply, (onProgress) => this.images.push(job, onProgress));
  }

  @Delete(':name')
  async remove(@Param('name') name: string, @Query('force') force: string | undefined, @Query('noprune') noprune: string | undefined): Promise<unknown> {
    const res = await this.images.remove({ name, force: queryBool(force), noPrune: queryBool(noprune) });
    return deleteItems(res.items);
  }
}
