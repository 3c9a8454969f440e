import { Filters, untilMillis } from '@berth/engine-api';
import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from './container-record';
import { portFilterKeys, portKey } from './port-specs';

/** dockerd's acceptedPsFilterTags. */
export const LIST_FILTERS = ['ancestor', 'before', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'status', 'publish', 'expose', 'since', 'volume', 'network'] as const;
export const PRUNE_FILTERS = ['label', 'label!', 'until'] as const;
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** Whether `ancestor` names the container's image: as typed, by id or id prefix. */
function ancestorMatches(record: ContainerRecord, value: string): boolean {
  const hex = record.Image.replace(/^sha256:/, '');
  const bare = value.replace(/^sha256:/, '');
  if (/^[0-9a-f]{1,64}$/.test(bare) && hex.startsWith(bare)) return true;
  const norm = (s: string) => {
    let n = s.replace(/^docker\.io\/(library\/)?/, '');
    if (!/:[^/]*$/.test(n) && !n.includes('@')) n += ':latest';
    return n;
  };
  return norm(record.ImageName) === norm(value);
}

export interface ListQuery {
  all: boolean;
  limit: number;
  filters: Filters;
}

/** Validates values that can be wrong before anything is read. */
export function checkListFilters(filters: Filters): void {
  filters.validate(LIST_FILTERS);
  for (const s of filters.get('status')) if (!STATES.includes(s)) throw RpcError.invalidArgument(`invalid filter 'status=${s}'`);
  for (const e of filters.get('exited')) if (!/^-?\d+$/.test(e)) throw RpcError.invalidArgument(`invalid filter 'exited=${e}'`);
  for (const key of ['publish', 'expose']) portKeysOf(filters, key);
}

/** The port keys a `publish=` or `expose=` filter names (every value's, ranges spelled out). */
function portKeysOf(filters: Filters, key: string): Set<string> {
  const out = new Set<string>();
  for (const v of filters.get(key)) {
    const keys = portFilterKeys(key, v);
    if (typeof keys === 'string') throw RpcError.invalidArgument(keys);
    for (const k of keys) out.add(k);
  }
  return out;
}

/**
 * dockerd's per-container filter for `ps` (daemon/list.go). `beforeSeq` and
 * `sinceSeq` are the creation positions of the before/since containers.
 */
export function listPredicate(q: ListQuery, bounds: { beforeSeq?: number; sinceSeq?: number }): (c: { seq: number; record: ContainerRecord }) => boolean {
  const f = q.filters;
  const running = (r: ContainerRecord) => r.State.Status === 'running' || r.State.Status === 'paused' || r.State.Status === 'restarting';
  const publish = portKeysOf(f, 'publish');
  const expose = portKeysOf(f, 'expose');
  const all = q.all || f.contains('status') || q.limit > 0 || bounds.beforeSeq !== undefined || bounds.sinceSeq !== undefined;
  return ({ seq, record }) => {
    if (!all && !running(record)) return false;
    if (!f.match('id', record.Id)) return false;
    if (!f.match('name', `/${record.Name}`) && !f.match('name', record.Name)) return false;
    if (!f.matchKVList('label', record.Config.Labels ?? {})) return false;
    if (!f.exactMatch('status', record.State.Status)) return false;
    if (f.contains('exited') && (record.State.Status !== 'exited' || !f.get('exited').map(Number).includes(record.State.ExitCode ?? 0))) return false;
    if (f.contains('ancestor') && !f.get('ancestor').some((a) => ancestorMatches(record, a))) return false;
    if (bounds.beforeSeq !== undefined && seq >= bounds.beforeSeq) return false;
    if (bounds.sinceSeq !== undefined && seq <= bounds.sinceSeq) return false;
    if (f.contains('health') && !f.get('health').includes(record.State.Health?.Status ?? 'none')) return false;
    if (f.contains('is-task') && f.getBool('is-task', false)) return false;
    if (!f.exactMatch('isolation', 'default')) return false;
    if (f.contains('network') || f.contains('volume') || f.contains('publish') || f.contains('expose')) {
      if (expose.size > 0 && !Object.keys(record.Config.ExposedPorts ?? {}).some((p) => expose.has(portKey(p)))) return false;
      if (f.get('volume').length > 0) {
        const mounts = record.Mounts ?? [];
        if (!f.get('volume').some((v) => mounts.some((m) => m.Destination === v || (m.Name ? m.Name === v : m.Source === v)))) return false;
      }
      if (publish.size > 0 && !Object.keys((record.HostConfig.PortBindings ?? {}) as Record<string, unknown>).some((p) => publish.has(portKey(p)))) return false;
      if (f.get('network').length > 0) {
        const networks = Object.entries((record.NetworkSettings?.Networks ?? {}) as Record<string, { NetworkID?: string }>);
        // dockerd's list.go: the network's name, or a prefix of its id
        const hit = f.get('network').some((n) => networks.some(([name, ep]) => name === n || (ep.NetworkID ?? '') !== '' && (ep.NetworkID ?? '').startsWith(n)));
        if (!hit) return false;
      }
    }
    return true;
  };
}


export function prunePredicate(filters: Filters, now = Date.now()): (r: ContainerRecord) => boolean {
  filters.validate(PRUNE_FILTERS);
  const until = filters.get('until').map((u) => untilMillis(u, now));
  return (r) => {
    if (r.State.Status === 'running' || r.State.Status === 'paused' || r.State.Status === 'restarting') return false;
    const labels = r.Config.Labels ?? {};
    if (!filters.matchKVList('label', labels)) return false;
    if (filters.contains('label!')) {
      for (const v of filters.get('label!')) {
        const eq = v.indexOf('=');
        const k = eq < 0 ? v : v.slice(0, eq);
        if (Object.prototype.hasOwnProperty.call(labels, k) && (eq < 0 || labels[k] === v.slice(eq + 1))) return false;
      }
    }
    const created = Date.parse(r.Created);
    if (until.some((u) => created >= u)) return false;
    return true;
  };
}
