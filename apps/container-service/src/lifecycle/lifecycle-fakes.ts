// Fakes for the lifecycle's unit tests: a runtime, rootfs, network, volumes
// and attach that record what was asked of them in one `steps` list, so a
// test reads the order of setup and undo. No root, runc or conmon needed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerRecord } from '../containers/container-record';
import type { EventInput } from '@berth/events';
import { createLogger } from '@berth/logging';
import { ContainerExits } from '../containers/container-exits';
import { ContainerPaths } from '../containers/container-paths';
import { ContainerStore } from '../containers/container-store';
import type { AttachLink } from './attach-link';
import { ContainerLifecycle } from './container-lifecycle';
import { ContainerRuntime, RuntimeCreateError, RuntimeCreateOptions } from './container-runtime';
import { allOf, type LifecycleObserver } from './lifecycle-observer';
import type { NetworkAttachment, NetworkLink } from './network-link';
import type { RootfsLink } from './rootfs-link';
import type { ResolvedMount } from './spec-input';
import type { ContainerMount } from './volume-links';
import type { VolumeMounts } from './volume-mounts';
import { RpcError } from '@berth/rpc';
import type { NetworkInfo, NetworkResolver } from '../containers/network-plan';

/** A runtime whose processes exit when told to (`exit`) or on a signal they do not ignore. */
export class FakeRuntime implements ContainerRuntime {
  /** When set, create fails with this runtime message. */
  failCreate?: string;
  failStart?: Error;
  /** Signals the fake process ignores (a shell ignoring SIGTERM). */
  readonly ignored = new Set<number>();
  /** Containers whose monitor (conmon) is alive: restore may watch them again. */
  readonly alive = new Set<string>();
  readonly exitCodes = new Map<string, number>();
  private readonly exitWaits = new Map<string, ((code: number) => void)[]>();
  /** When each create was asked for (Date.now()). */
  readonly createdAt: number[] = [];
  private nextPid = 1000;

  constructor(private readonly steps: string[]) {}

  async create(o: RuntimeCreateOptions): Promise<{ pid: number }> {
    this.steps.push('runtime.create');
    this.createdAt.push(Date.now());
    if (this.failCreate) throw new RuntimeCreateError(this.failCreate);
    this.alive.add(o.id);
    return { pid: this.nextPid++ };
  }

  async start(id: string): Promise<void> {
    this.steps.push('runtime.start');
    if (this.failStart) throw this.failStart;
    this.exitCodes.delete(id);
  }

  async kill(id: string, signal: number): Promise<void> {
    this.steps.push(`runtime.kill ${signal}`);
    if (!this.ignored.has(signal)) setImmediate(() => this.exit(id, 128 + signal));
  }

  async pause(): Promise<void> {
    this.steps.push('runtime.pause');
  }

  async resume(): Promise<void> {
    this.steps.push('runtime.resume');
  }

  async update(): Promise<void> {
    this.steps.push('runtime.update');
  }

  async delete(id: string): Promise<void> {
    this.steps.push('runtime.delete');
    this.alive.delete(id);
  }

  resize(): void {
    this.steps.push('runtime.resize');
  }

  /** The container's process ends with `code`. */
  exit(id: string, code: number): void {
    this.exitCodes.set(id, code);
    const waits = this.exitWaits.get(id) ?? [];
    this.exitWaits.delete(id);
    for (const w of waits) w(code);
  }

  /** The service that watched went away (its process died): nobody waits for exits any more. */
  dropWatchers(): void {
    this.exitWaits.clear();
  }

  waitForExit(id: string): Promise<number> {
    const code = this.exitCodes.get(id);
    if (code !== undefined) return Promise.resolve(code);
    return new Promise((resolve) => this.exitWaits.set(id, [...(this.exitWaits.get(id) ?? []), resolve]));
  }

  async exitCode(id: string): Promise<number | undefined> {
    return this.exitCodes.get(id);
  }

  clearExit(id: string): void {
    this.exitCodes.delete(id);
  }

  async monitorAlive(id: string): Promise<boolean> {
    return this.alive.has(id);
  }

  oomKilled(): boolean {
    return false;
  }
}

/** The root filesystem: a plain directory with an /etc/passwd, held and released. */
export class FakeRootfs implements RootfsLink {
  readonly holds = new Map<string, number>();

  constructor(private readonly root: string, private readonly steps: string[]) {}

  async acquire(id: string): Promise<string> {
    this.steps.push('rootfs.acquire');
    const dir = path.join(this.root, 'rootfs', id);
    fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\n');
    this.holds.set(id, (this.holds.get(id) ?? 0) + 1);
    return dir;
  }

  async release(id: string): Promise<void> {
    this.steps.push('rootfs.release');
    const n = (this.holds.get(id) ?? 1) - 1;
    if (n > 0) this.holds.set(id, n);
    else this.holds.delete(id);
  }

  adopt(id: string): void {
    this.steps.push('rootfs.adopt');
    if (!this.holds.has(id)) this.holds.set(id, 1);
  }

  async forget(id: string): Promise<void> {
    this.steps.push('rootfs.forget');
    this.holds.delete(id);
  }
}

export class FakeNetwork implements NetworkLink {
  failAttach?: Error;
  readonly attached = new Set<string>();
  /** The records each attach was asked with. */
  readonly attachedRecords: ContainerRecord[] = [];
  /** What attach answers besides the defaults (a user network's embedded DNS, more networks). */
  answer: Partial<NetworkAttachment> = {};

  constructor(private readonly steps: string[]) {}

  async attach(record: ContainerRecord): Promise<NetworkAttachment> {
    this.steps.push('network.attach');
    if (this.failAttach) throw this.failAttach;
    this.attached.add(record.Id);
    this.attachedRecords.push(record);
    return {
      hostNetwork: false, netnsPath: `/run/netns/${record.Id}`, resolvConf: 'nameserver 192.0.2.53\n', ipAddress: '172.17.0.2', gateway: '172.17.0.1',
      settings: { IPAddress: '172.17.0.2', Gateway: '172.17.0.1', Networks: {} },
      ...this.answer,
    };
  }

  async detach(id: string): Promise<void> {
    this.steps.push('network.detach');
    this.attached.delete(id);
  }

  failConnect?: Error;
  /** The settings each live connect or disconnect answers, as network-service would. */
  readonly live = new Map<string, Record<string, Record<string, unknown>>>();

  async connect(record: ContainerRecord, networkName: string, endpoint: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.steps.push(`network.connect ${networkName}`);
    if (this.failConnect) throw this.failConnect;
    const nets = this.live.get(record.Id) ?? {};
    nets[networkName] = { ...endpoint, IPAddress: `10.65.0.${Object.keys(nets).length + 2}`, EndpointID: 'e'.repeat(64) };
    this.live.set(record.Id, nets);
    return { IPAddress: '172.17.0.2', Networks: { ...nets } };
  }

  async disconnect(id: string, network: string): Promise<Record<string, unknown>> {
    this.steps.push(`network.disconnect ${network}`);
    const nets = this.live.get(id) ?? {};
    for (const [name, ep] of Object.entries(nets)) if (name === network || ep.NetworkID === network) delete nets[name];
    return { IPAddress: '172.17.0.2', Networks: { ...nets } };
  }
}

/** network-service's InspectNetwork over a fixed set: bridge, host, none and what a test adds. */
export class FakeResolver implements NetworkResolver {
  readonly known = new Map<string, NetworkInfo>([
    ['bridge', { id: 'b'.repeat(64), name: 'bridge' }],
    ['host', { id: 'h'.repeat(64), name: 'host' }],
    ['none', { id: 'n'.repeat(64), name: 'none' }],
  ]);

  add(name: string, id = `${name}${'0'.repeat(64)}`.slice(0, 64)): NetworkInfo {
    const info = { id, name };
    this.known.set(name, info);
    return info;
  }

  async inspect(ref: string): Promise<NetworkInfo> {
    for (const n of this.known.values()) if (n.name === ref || n.id === ref || (ref.length > 0 && n.id.startsWith(ref))) return n;
    throw RpcError.notFound(`network ${ref} not found`);
  }
}

export class FakeVolumes implements VolumeMounts {
  constructor(private readonly steps: string[]) {}

  async mountAll(_id: string, _mounts: ContainerMount[]): Promise<ResolvedMount[]> {
    this.steps.push('volumes.mountAll');
    return [];
  }

  async unmountAll(): Promise<void> {
    this.steps.push('volumes.unmountAll');
  }

  async unlink(_id: string, _mounts: ContainerMount[], removeAnonymous: boolean): Promise<void> {
    this.steps.push(`volumes.unlink ${removeAnonymous}`);
  }
}

export class FakeAttach implements AttachLink {
  constructor(private readonly steps: string[]) {}

  async connectWaiting(): Promise<void> {
    this.steps.push('attach.connectWaiting');
  }

  release(): void {
    this.steps.push('attach.release');
  }
}

export interface LifecycleRig {
  lifecycle: ContainerLifecycle;
  store: ContainerStore;
  paths: ContainerPaths;
  runtime: FakeRuntime;
  rootfs: FakeRootfs;
  network: FakeNetwork;
  networks: FakeResolver;
  steps: string[];
  events: EventInput[];
  observed: string[];
  /** Inserts a container record (status `created` unless told) and returns its id. */
  add(fields?: { HostConfig?: Record<string, unknown>; Config?: Record<string, unknown>; State?: ContainerRecord['State']; NetworkingConfig?: Record<string, unknown>; NetworkSettings?: Record<string, unknown>; Name?: string }): string;
  status(id: string): string | undefined;
  actions(): string[];
  close(): void;
}

let counter = 0;

/** A lifecycle over fakes, its store a real one in a temporary directory. */
export function lifecycleRig(extra: LifecycleObserver = {}): LifecycleRig {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lc-'));
  const steps: string[] = [];
  const events: EventInput[] = [];
  const observed: string[] = [];
  const store = new ContainerStore(path.join(root, 'data', 'metadata.db'));
  const paths = new ContainerPaths(path.join(root, 'data'), path.join(root, 'run'));
  const runtime = new FakeRuntime(steps);
  const rootfs = new FakeRootfs(root, steps);
  const network = new FakeNetwork(steps);
  const networks = new FakeResolver();
  const observer: LifecycleObserver = allOf({
    started: (r) => observed.push(`started ${r.Id}`),
    restored: (r) => observed.push(`restored ${r.Id}`),
    stopped: (id) => observed.push(`stopped ${id}`),
  }, extra);
  const build = () => new ContainerLifecycle({
    store, paths, runtime, rootfs, network, networks, volumes: new FakeVolumes(steps), attach: new FakeAttach(steps), exits: new ContainerExits(),
    events: { publish: async (e) => { events.push(e); } }, logger: createLogger('test', 'error'), observer,
  });
  const rig: LifecycleRig = {
    lifecycle: build(),
    store, paths, runtime, rootfs, network, networks, steps, events, observed,
    add(fields = {}) {
      const id = `${(++counter).toString(16).padStart(8, '0')}${'c'.repeat(56)}`;
      store.insert({
        Id: id,
        Name: fields.Name ?? `c${counter}`,
        Created: new Date().toISOString(),
        Path: 'sh',
        Args: [],
        ImageName: 'busybox',
        Image: `sha256:${'a'.repeat(64)}`,
        Config: { Cmd: ['sh'], Image: 'busybox', ...fields.Config },
        HostConfig: { NetworkMode: 'bridge', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, ...fields.HostConfig },
        NetworkingConfig: fields.NetworkingConfig ?? {},
        NetworkSettings: fields.NetworkSettings,
        Platform: 'linux',
        State: fields.State ?? { Status: 'created' },
        RestartCount: 0,
        LayerPaths: [],
        Mounts: [],
      } as ContainerRecord);
      return id;
    },
    status: (id) => store.get(id)?.record.State.Status,
    actions: () => events.map((e) => e.Action),
    close() {
      rig.lifecycle.close();
      store.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return rig;
}

/** A new lifecycle over the same store and fakes: this service restarted. */
export function restartService(rig: LifecycleRig): void {
  rig.lifecycle.close();
  rig.runtime.dropWatchers();
  (rig as { lifecycle: ContainerLifecycle }).lifecycle = new ContainerLifecycle({
    store: rig.store, paths: rig.paths, runtime: rig.runtime, rootfs: rig.rootfs, network: rig.network, networks: rig.networks,
    volumes: new FakeVolumes(rig.steps), attach: new FakeAttach(rig.steps), exits: new ContainerExits(),
    events: { publish: async (e) => { rig.events.push(e); } }, logger: createLogger('test', 'error'),
    observer: { restored: (r) => rig.observed.push(`restored ${r.Id}`), stopped: (id) => rig.observed.push(`stopped ${id}`) },
  });
}

export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
