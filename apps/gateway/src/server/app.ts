import * as http from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@berth/logging';
import { rewriteVersionedUrl, checkApiVersion } from './api-version';
import { escapeNamePath } from './name-paths';
import { ApiErrorFilter } from './error.filter';
import { setHostRoots } from './redact';
import { registerBodyParsers } from './body';
import { COMMON_HEADERS } from './identity';
import { singleValuedQuery } from './query';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface GatewayAppOptions {
  bodyLimit: number;
  logger: Logger;
  /** Receives Fastify's request handler, for listeners of our own (unix socket, TCP, TLS). */
  onHandler?: (handler: Handler) => void;
  /** Host directories (data root, run root) that no error message may show. */
  hostRoots?: readonly string[];
}

/** Image references and digests are longer than find-my-way's default of 100. */
const MAX_PARAM_LENGTH = 4096;

/**
 * The Engine API application over a module of controllers and backends:
 * version prefix, common headers, body parsing and error bodies as dockerd's.
 * main.ts serves it; tests inject requests into it.
 */
export async function createGatewayApp(module: DynamicModule, options: GatewayAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    // HEAD routes are declared where the Engine API has them (/_ping, archive).
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    rewriteUrl: (req: http.IncomingMessage) => escapeNamePath(req.method ?? 'GET', rewriteVersionedUrl(req)),
    serverFactory: (h: Handler) => {
      options.onHandler?.(h);
      return http.createServer(h);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: ['error'],
    bodyParser: false,
    abortOnError: false,
  });
  setHostRoots(options.hostRoots ?? []);
  app.useGlobalFilters(new ApiErrorFilter(options.logger));
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, options.bodyLimit);
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) reply.raw.setHeader(k, v);
    try {
      checkApiVersion(request.raw);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.query && typeof request.query === 'object') singleValuedQuery(request.query as Record<string, unknown>);
    done();
  });
  // dockerd answers plain application/json; some clients compare it exactly.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.getHeader('content-type') === 'application/json; charset=utf-8') reply.header('content-type', 'application/json');
    done(null, payload);
  });
  await app.init();
  await fastify.ready();
  return app;
}
