import { status } from '@grpc/grpc-js';

/** An error a service returns to its caller with a gRPC status and Docker's wording. */
export class RpcError extends Error {
  constructor(public readonly code: status, message: string) {
    super(message);
    this.name = 'RpcError';
  }
  static notFound(message: string): RpcError { return new RpcError(status.NOT_FOUND, message); }
  static alreadyExists(message: string): RpcError { return new RpcError(status.ALREADY_EXISTS, message); }
  static conflict(message: string): RpcError { return new RpcError(status.FAILED_PRECONDITION, message); }
  static invalidArgument(message: string): RpcError { return new RpcError(status.INVALID_ARGUMENT, message); }
  static permissionDenied(message: string): RpcError { return new RpcError(status.PERMISSION_DENIED, message); }
  static unauthenticated(message: string): RpcError { return new RpcError(status.UNAUTHENTICATED, message); }
  static internal(message: string): RpcError { return new RpcError(status.INTERNAL, message); }
}

/** Errors that arrive over the wire from another service keep their status. */
export function isServiceError(err: unknown): err is { code: status; details: string; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number'
    && typeof (err as { details?: unknown }).details === 'string';
}

/** Shared validators (engine-api's ApiError) speak HTTP statuses; they travel as the matching gRPC code. */
function statusFromHttp(httpStatus: number): status {
  switch (httpStatus) {
    case 400: return status.INVALID_ARGUMENT;
    case 401: return status.UNAUTHENTICATED;
    case 403: return status.PERMISSION_DENIED;
    case 404: return status.NOT_FOUND;
    case 409: return status.FAILED_PRECONDITION;
    case 501: return status.UNIMPLEMENTED;
    case 503: return status.UNAVAILABLE;
    default: return status.INTERNAL;
  }
}

export function toStatusObject(err: unknown): { code: status; details: string } {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  if (err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number') {
    return { code: statusFromHttp((err as Error & { statusCode: number }).statusCode), details: err.message };
  }
  if (isServiceError(err)) return { code: err.code, details: err.details };
  if (err instanceof Error) return { code: status.INTERNAL, details: err.message };
  return { code: status.INTERNAL, details: String(err) };
}
