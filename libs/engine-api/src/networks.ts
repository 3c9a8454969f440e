import type { EndpointSettings } from './types';

/** The filters `GET /networks` accepts (moby's network.ValidateFilters); any other is a 400 "invalid filter". */
export const NETWORK_LIST_FILTERS: readonly string[] = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/** The filters `POST /networks/prune` accepts (dockerd's networksAcceptedFilters). */
export const NETWORK_PRUNE_FILTERS: readonly string[] = ['label', 'label!', 'until'];

/** The networks every engine has; never created nor removed through the API. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none'];

/** IPAMConfig as the API spells it: the aux addresses are `AuxiliaryAddresses`. */
export interface IpamConfigBody {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** network.CreateRequest once decoded (NETWORK_CREATE): every field of its type, absent when not sent. */
export interface NetworkCreateBody {
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: IpamConfigBody[] };
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** network.ConnectOptions once decoded (NETWORK_CONNECT). */
export interface NetworkConnectBody {
  Container?: string;
  EndpointConfig?: EndpointSettings;
}

/** network.DisconnectOptions once decoded (NETWORK_DISCONNECT). */
export interface NetworkDisconnectBody {
  Container?: string;
  Force?: boolean;
}
