import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { apiVersionOf } from './api-version';
import { featuresFor, ApiFeatures } from '../versions/features';

/** Injects what the request's API version decides (see versions/features.ts). */
export const Features = createParamDecorator((_data: unknown, ctx: ExecutionContext): ApiFeatures => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  return featuresFor(apiVersionOf(req.raw));
});

/** A query flag as dockerd's BoolValue reads it: ''/0/no/false/none (any case) are false, anything else true. */
export function queryBool(value: unknown, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  const s = String(Array.isArray(value) ? value[value.length - 1] : value).trim().toLowerCase();
  if (s === '') return fallback;
  return !(s === '0' || s === 'false' || s === 'no' || s === 'none');
}
