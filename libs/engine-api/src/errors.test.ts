import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { httpStatusFromGrpc, toApiError, ApiError } from './errors';
import { compareVersions } from './versions';

test('gRPC status maps to the HTTP status of DESIGN.md', () => {
  assert.equal(httpStatusFromGrpc(status.NOT_FOUND), 404);
  assert.equal(httpStatusFromGrpc(status.ALREADY_EXISTS), 409);
  assert.equal(httpStatusFromGrpc(status.FAILED_PRECONDITION), 409);
  assert.equal(httpStatusFromGrpc(status.INVALID_ARGUMENT), 400);
  assert.equal(httpStatusFromGrpc(status.UNAUTHENTICATED), 401);
  assert.equal(httpStatusFromGrpc(status.PERMISSION_DENIED), 403);
  assert.equal(httpStatusFromGrpc(status.INTERNAL), 500);
});

test('a service error keeps the service wording', () => {
  const err = Object.assign(new Error('5 NOT_FOUND: get x: no such volume'), { code: status.NOT_FOUND, details: 'get x: no such volume', metadata: {} });
  const api = toApiError(err);
  assert.equal(api.statusCode, 404);
  assert.equal(api.message, 'get x: no such volume');
  assert.equal(toApiError(new ApiError(409, 'c')).statusCode, 409);
  assert.equal(toApiError(new Error('boom')).statusCode, 500);
});

test('versions compare numerically', () => {
  assert.equal(compareVersions('1.9', '1.10'), -1);
  assert.equal(compareVersions('1.50', '1.50'), 0);
  assert.equal(compareVersions('1.52', '1.50'), 1);
});
