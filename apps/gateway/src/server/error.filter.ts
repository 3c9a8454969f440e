import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, toApiError } from '@berth/engine-api';
import type { Logger } from '@berth/logging';
import { redactError } from './redact';

interface FastifyLikeError { statusCode?: number; code?: string; message: string }

/** Everything a handler or Fastify throws becomes dockerd's `{"message": ...}` body. */
export function apiErrorFrom(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HttpException) {
    if (err.getStatus() === 404) return ApiError.notFound('page not found');
    return new ApiError(err.getStatus(), err.message);
  }
  const fe = err as FastifyLikeError;
  if (typeof fe?.code === 'string' && fe.code.startsWith('FST_')) {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'request body too large');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return ApiError.badRequest(fe.message);
    return new ApiError(fe.statusCode ?? 400, fe.message);
  }
  return toApiError(err);
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = apiErrorFrom(exception);
    if (error.statusCode >= 500) this.logger.error('request failed', { error: exception instanceof Error ? exception.stack : String(exception) });
    if (reply.sent || reply.raw.headersSent) {
      // A streaming response already started: all that is left is to end it.
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    // A Buffer keeps Content-Type exactly application/json: the CLI only parses the message then.
    void reply.status(error.statusCode).header('Content-Type', 'application/json').send(Buffer.from(JSON.stringify({ message: redactError(error.statusCode, error.message) }) + '\n'));
  }
}
