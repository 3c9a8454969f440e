import { status as GrpcStatus } from '@grpc/grpc-js';

/** An error with the HTTP status and message an Engine API client should see. */
export class ApiError extends Error {
  constructor(public readonly statusCode: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
  static badRequest(message: string): ApiError { return new ApiError(400, message); }
  static notFound(message: string): ApiError { return new ApiError(404, message); }
  static conflict(message: string): ApiError { return new ApiError(409, message); }
  static internal(message: string): ApiError { return new ApiError(500, message); }
}

/** The one mapping from gRPC status codes to HTTP statuses (DESIGN.md, Contracts). */
export function httpStatusFromGrpc(code: number): number {
  switch (code) {
    case GrpcStatus.NOT_FOUND: return 404;
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.FAILED_PRECONDITION: return 409;
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE: return 400;
    case GrpcStatus.UNAUTHENTICATED: return 401;
    case GrpcStatus.PERMISSION_DENIED: return 403;
    case GrpcStatus.UNIMPLEMENTED: return 501;
    case GrpcStatus.UNAVAILABLE: return 503;
    default: return 500;
  }
}

interface GrpcLikeError { code: number; details?: string; message?: string }

function isGrpcError(err: unknown): err is GrpcLikeError {
  return typeof err === 'object' && err !== null && typeof (err as GrpcLikeError).code === 'number'
    && ('details' in err || 'metadata' in err);
}

/** Turns whatever a route handler threw into the status and body a Docker client expects. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isGrpcError(err)) {
    // grpc-js prefixes messages with "<code> <NAME>: "; `details` is the service's own text.
    const message = err.details ?? err.message ?? 'internal error';
    if (err.code === GrpcStatus.UNAVAILABLE) return new ApiError(503, `service unavailable: ${message}`);
    return new ApiError(httpStatusFromGrpc(err.code), message);
  }
  if (err instanceof Error) return new ApiError(500, err.message);
  return new ApiError(500, String(err));
}
