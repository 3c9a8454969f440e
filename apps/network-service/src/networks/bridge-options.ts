import { RpcError } from '@berth/rpc';
import { validInterfaceName } from '../config/network-config';

/** The bridge driver's options (Options of POST /networks/create), dockerd's keys. */
export const OPT_BRIDGE_NAME = 'com.docker.network.bridge.name';
export const OPT_MTU = 'com.docker.network.driver.mtu';
export const OPT_MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
export const OPT_ICC = 'com.docker.network.bridge.enable_icc';
export const OPT_HOST_BINDING = 'com.docker.network.bridge.host_binding_ipv4';

export interface BridgeOptions {
  /** '' means br-<first 12 of the id>. */
  bridgeName: string;
  mtu: number;
  masquerade: boolean;
  icc: boolean;
  /** '' means every address. */
  hostBindingIpv4: string;
}

function bool(options: Record<string, string>, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined || v === '') return fallback;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw RpcError.invalidArgument(`failed to parse ${key} value: invalid syntax`);
}

const BUILT = new Set([OPT_BRIDGE_NAME, OPT_MTU, OPT_MASQUERADE, OPT_ICC, OPT_HOST_BINDING]);

/**
 * At create: keys of Docker's own namespace that Berth does not apply are
 * refused rather than stored and ignored; other keys are the user's own data
 * and kept, as dockerd keeps them.
 */
export function refuseUnbuiltOptions(options: Record<string, string>): void {
  const unbuilt = Object.keys(options).find((k) => k.startsWith('com.docker.network.') && !BUILT.has(k));
  if (unbuilt) throw RpcError.invalidArgument(`network option ${unbuilt} is not supported by Berth yet`);
}

/** Reads and checks the options (dockerd refuses what it cannot parse at create). */
export function bridgeOptions(options: Record<string, string>): BridgeOptions {
  const bridgeName = options[OPT_BRIDGE_NAME] ?? '';
  if (bridgeName !== '' && !validInterfaceName(bridgeName)) throw RpcError.invalidArgument(`invalid bridge name "${bridgeName}": at most 15 letters, digits, '_', '.', '-'`);
  let mtu = 0;
  if (options[OPT_MTU] !== undefined && options[OPT_MTU] !== '') {
    mtu = Number(options[OPT_MTU]);
    if (!Number.isInteger(mtu)) throw RpcError.invalidArgument(`invalid mtu "${options[OPT_MTU]}"`);
    if (mtu < 68) throw RpcError.invalidArgument(`invalid MTU number: ${mtu}, the minimum is 68`);
    if (mtu > 65535) throw RpcError.invalidArgument(`invalid MTU number: ${mtu}, the maximum is 65535`);
  }
  const hostBindingIpv4 = options[OPT_HOST_BINDING] ?? '';
  if (hostBindingIpv4 !== '' && !/^\d+\.\d+\.\d+\.\d+$/.test(hostBindingIpv4)) throw RpcError.invalidArgument(`invalid ${OPT_HOST_BINDING} value: ${hostBindingIpv4}`);
  return {
    bridgeName,
    mtu,
    masquerade: bool(options, OPT_MASQUERADE, true),
    icc: bool(options, OPT_ICC, true),
    hostBindingIpv4: hostBindingIpv4 === '0.0.0.0' ? '' : hostBindingIpv4,
  };
}
