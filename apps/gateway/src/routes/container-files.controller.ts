import { Controller, Get, Head, HttpCode, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { ApiError, toApiError } from '@berth/engine-api';
import type { common, containerFiles } from '@berth/proto';
import type { ContainerCopyBackend } from '../backends/container.backend';
import type { MessageStream } from '../backends/streams';
import { CONTAINER_COPY_BACKEND } from '../backends/tokens';
import { queryBool } from '../server/request-context';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** Go's json.Marshal escapes these inside strings; the CLI does not care, byte-for-byte callers might. */
function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The stat header: base64 of dockerd's PathStat JSON. */
export function pathStatHeader(s: containerFiles.PathStat): string {
  const json = goJson({ name: s.name, size: Number(s.size), mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget });
  return Buffer.from(json).toString('base64');
}

/**
 * gddo's NegotiateContentEncoding over gzip and deflate, as dockerd's
 * writeCompressedResponse: the best q wins, gzip first on a tie; identity
 * when nothing (or only q=0) matches. Go's HTTP client asks for gzip by itself.
 */
export function negotiateEncoding(accept: string | undefined): 'gzip' | 'deflate' | 'identity' {
  if (!accept) return 'identity';
  const specs = accept.split(',').map((part) => {
    const [value, ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    return { value: (value ?? '').trim().toLowerCase(), q: Number.isFinite(q) ? q : 0 };
  });
  let best: 'gzip' | 'deflate' | 'identity' = 'identity';
  let bestQ = -1;
  for (const offer of ['gzip', 'deflate'] as const) {
    for (const spec of specs) {
      if (spec.q > bestQ && (spec.value === '*' || spec.value === offer)) {
        bestQ = spec.q;
        best = offer;
      }
    }
  }
  return bestQ <= 0 ? 'identity' : best;
}

function requirePath(raw: string | string[] | undefined): string {
  const p = Array.isArray(raw) ? raw[0] : raw;
  if (p === undefined || p === '') throw ApiError.badRequest('bad parameter: path cannot be empty');
  // No file name holds a NUL: refused here, before a service joins it to a host path.
  if (p.includes('\0')) throw ApiError.badRequest('bad parameter: path cannot contain a NUL byte');
  return p;
}

/**
 * Relays a server-streamed tar: the response starts (status, headers from
 * `head`) only with the first message, so an error before it is a normal
 * error answer; after it, a failure can only cut the stream short.
 */
function relayTar<M>(
  reply: FastifyReply,
  call: MessageStream<M>,
  head: (first: M) => { headers: Record<string, string>; data?: Buffer },
  data: (msg: M) => Buffer | undefined,
  encoding: 'gzip' | 'deflate' | 'identity' = 'identity',
): Promise<void> {
  const res = reply.raw;
  let out: Writable = res;
  let started = false;
  return new Promise<void>((resolve, reject) => {
    const write = (buf: Buffer | undefined): void => {
      if (!buf || buf.length === 0) return;
      if (!out.write(buf)) {
        call.pause();
        out.once('drain', () => call.resume());
      }
    };
    res.on('close', () => {
      if (!res.writableFinished) call.cancel();
    });
    call.on('data', (msg: M) => {
      if (!started) {
        started = true;
        const h = head(msg);
        reply.hijack();
        const headers = { ...h.headers };
        if (encoding !== 'identity') {
          headers['Content-Encoding'] = encoding;
          const z = encoding === 'gzip' ? zlib.createGzip() : zlib.createDeflateRaw();
          z.pipe(res);
          out = z;
        }
        res.writeHead(200, headers);
        resolve();
        write(h.data);
        return;
      }
      write(data(msg));
    });
    call.on('error', (err) => {
      if (!started) {
        reject(toApiError(err));
        return;
      }
      // After the 200 all dockerd can do is stop: a truncated tar is what the client sees.
      res.destroy();
    });
    call.on('end', () => {
      if (!started) {
        reject(ApiError.internal('the archive ended before it started'));
        return;
      }
      out.end();
    });
  });
}

/** docker cp (HEAD/GET/PUT archive), docker export and docker diff: container-service does the work. */
@Controller()
export class ContainerFilesController {
  constructor(@Inject(CONTAINER_COPY_BACKEND) private readonly files: ContainerCopyBackend) {}

  @Head('containers/:id/archive')
  async statPath(@Param('id') id: string, @Query() q: Record<string, string | string[] | undefined>, @Res() reply: FastifyReply): Promise<void> {
    const stat = await this.files.statPath({ id, path: requirePath(q.path) });
    void reply.status(200).header(STAT_HEADER, pathStatHeader(stat)).send();
  }

  @Get('containers/:id/archive')
  getArchive(
    @Param('id') id: string,
    @Query() q: Record<string, string | string[] | undefined>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const path = requirePath(q.path);
    const call = this.files.getArchive({ id, path });
    return relayTar<containerFiles.ArchiveChunk>(
      reply,
      call,
      (first) => {
        const headers: Record<string, string> = { 'Content-Type': 'application/x-tar' };
        if (first.part?.$case !== 'stat') return { headers, data: first.part?.data };
        return { headers: { [STAT_HEADER]: pathStatHeader(first.part.stat), ...headers } };
      },
      (msg) => (msg.part?.$case === 'data' ? msg.part.data : undefined),
      negotiateEncoding(req.headers['accept-encoding']),
    );
  }

  @Put('containers/:id/archive')
  @HttpCode(200)
  async putArchive(@Param('id') id: string, @Query() q: Record<string, string | string[] | undefined>, @Req() req: FastifyRequest): Promise<void> {
    const body = req.raw;
    let path: string;
    try {
      path = requirePath(q.path);
    } catch (err) {
      body.resume();
      throw err;
    }
    await this.files.putArchive({
      id,
      path,
      noOverwriteDirNonDir: queryBool(q.noOverwriteDirNonDir),
      copyUidGid: queryBool(q.copyUIDGID),
    }, body);
  }

  @Get('containers/:id/export')
  exportContainer(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const call = this.files.export({ id });
    return relayTar<common.DataChunk>(
      reply,
      call,
      (first) => ({ headers: { 'Content-Type': 'application/octet-stream' }, data: first.data }),
      (msg) => msg.data,
    );
  }

  /** An empty diff is `null`, as dockerd's nil slice. */
  @Get('containers/:id/changes')
  async changes(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const res = await this.files.changes({ id });
    const body = res.changes.length === 0 ? null : res.changes.map((c) => ({ Path: c.path, Kind: c.kind }));
    void reply.status(200).header('Content-Type', 'application/json').send(Buffer.from(`${goJson(body)}\n`));
  }
}
