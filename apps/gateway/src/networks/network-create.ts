import type { network } from '@berth/proto';
import { ApiError, NetworkCreateBody, PREDEFINED_NETWORKS } from '@berth/engine-api';
import type { ApiFeatures } from '../versions/features';

/**
 * POST /networks/create's body as network-service takes it, after the checks
 * dockerd makes before it looks at the driver: a predefined name is
 * forbidden (403, with dockerd's trailing space), an empty one invalid.
 * Before API 1.48 EnableIPv4 is not read (dockerd drops it): absent means on.
 */
export function createNetworkRequest(body: NetworkCreateBody, features: ApiFeatures): network.CreateNetworkRequest {
  const name = body.Name ?? '';
  // dockerd's IsPredefined: "default" names the default bridge too.
  if (PREDEFINED_NETWORKS.includes(name) || name === 'default') {
    throw new ApiError(403, `operation is not permitted on predefined ${name} network `);
  }
  if (name.trim() === '') throw ApiError.badRequest('invalid name: name is empty');
  const ipam = body.IPAM ?? {};
  return {
    name,
    driver: body.Driver ?? '',
    internal: body.Internal ?? false,
    attachable: body.Attachable ?? false,
    ingress: body.Ingress ?? false,
    enableIpv4: features.networkEnableIPv4 ? body.EnableIPv4 : undefined,
    enableIpv6: body.EnableIPv6 ?? false,
    ipamDriver: ipam.Driver ?? '',
    ipamConfig: (ipam.Config ?? []).map((c) => ({
      subnet: c.Subnet ?? '',
      ipRange: c.IPRange ?? '',
      gateway: c.Gateway ?? '',
      auxiliaryAddresses: c.AuxiliaryAddresses ?? {},
    })),
    ipamOptions: ipam.Options ?? {},
    options: body.Options ?? {},
    labels: body.Labels ?? {},
    configOnly: body.ConfigOnly ?? false,
    configFrom: body.ConfigFrom?.Network ?? '',
    scope: body.Scope ?? '',
  };
}

/** Go's strconv.ParseBool, for the `verbose` query of a network inspect. */
export function parseGoBool(name: string, raw: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw ApiError.badRequest(`invalid value for ${name}: ${raw}: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}
