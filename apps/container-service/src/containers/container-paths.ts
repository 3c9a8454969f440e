import * as path from 'node:path';

/**
 * Where one container's files live. Persistent parts (bundle, layers, log,
 * hosts files) under `<data-root>/containers/<id>`; what dies with the host
 * (runc state, conmon's pid and exit files, attach sockets) under run-root.
 */
export class ContainerPaths {
  readonly root: string;
  readonly runcRoot: string;
  readonly exitDir: string;
  /** conmon links `<socketDir>/<id>` to the bundle: kept short for sun_path's 108 bytes. */
  readonly socketDir: string;
  private readonly pidRoot: string;

  constructor(readonly dataRoot: string, runRoot: string) {
    this.root = path.join(dataRoot, 'containers');
    this.runcRoot = path.join(runRoot, 'runc');
    this.exitDir = path.join(runRoot, 'containers', 'exits');
    this.socketDir = path.join(runRoot, 'cs');
    this.pidRoot = path.join(runRoot, 'containers', 'pids');
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  /** The OCI bundle: config.json; conmon also puts attach, ctl and winsz here. */
  bundle(id: string): string {
    return path.join(this.dir(id), 'bundle');
  }

  /** The overlay mount point: the container's root filesystem while mounted. */
  rootfs(id: string): string {
    return path.join(this.dir(id), 'merged');
  }

  /** The writable layer (overlay upperdir): what the container changed. */
  upper(id: string): string {
    return path.join(this.dir(id), 'diff');
  }

  work(id: string): string {
    return path.join(this.dir(id), 'work');
  }

  /** conmon's k8s-file log (`<RFC3339Nano> stdout|stderr F|P <text>` lines). */
  log(id: string): string {
    return path.join(this.dir(id), 'container.log');
  }

  hosts(id: string): string {
    return path.join(this.dir(id), 'hosts');
  }

  hostname(id: string): string {
    return path.join(this.dir(id), 'hostname');
  }

  resolvConf(id: string): string {
    return path.join(this.dir(id), 'resolv.conf');
  }

  /** The container's init pid as runc wrote it. */
  pidFile(id: string): string {
    return path.join(this.pidRoot, `${id}.pid`);
  }

  conmonPidFile(id: string): string {
    return path.join(this.pidRoot, `${id}.conmon.pid`);
  }

  exitFile(id: string): string {
    return path.join(this.exitDir, id);
  }

  /** The v1 cgroup of the container under one controller (runc's cgroupfs layout for cgroupsPath `/berth/<id>`). */
  cgroup(id: string, controller: string): string {
    return path.join('/sys/fs/cgroup', controller, 'berth', id);
  }
}
