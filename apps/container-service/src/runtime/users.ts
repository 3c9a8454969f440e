import * as fs from 'node:fs';
import { PinnedView } from '../files/pinned-view';
import { resolveInRoot } from '../files/scoped-path';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The passwd entry's home directory ("/" when the user has none), for $HOME. */
  home: string;
}

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return out;
}

/**
 * Reads a file of the container's root as the container would see it (its
 * links followed against its root, never out of it), through descriptors of
 * each directory on the way: exec reads /etc/passwd of a running container,
 * which may swap /etc for a link to the host's while we look. Missing or
 * unreadable: empty, as dockerd treats a missing passwd file.
 */
function readInRoot(rootfs: string, file: string): string {
  if (rootfs === '/') {
    // Chrooted in the container's root (the fs helper): the kernel keeps every lookup inside it, and there is no /proc.
    try {
      return fs.readFileSync(`/${file}`, 'utf8');
    } catch {
      return '';
    }
  }
  const view = new PinnedView(rootfs);
  try {
    const r = resolveInRoot(rootfs, `/${file}`, { followLast: true, pinned: view });
    if (!r.stat?.isFile()) return '';
    const fd = fs.openSync(r.host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      return fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  } finally {
    view.close();
  }
}

const isNumeric = (s: string) => /^\d+$/.test(s);

/**
 * Docker's user spec (`name`, `uid`, `name:group`, `uid:gid`, ...) resolved
 * against the container's /etc/passwd and /etc/group, as runc's
 * GetExecUser does: a name must exist, a number need not; supplementary
 * groups come from /etc/group membership plus `additional` (HostConfig.GroupAdd).
 */
export function resolveUser(rootfs: string, spec: string, additional: string[] = []): ResolvedUser {
  const passwd = parsePasswd(readInRoot(rootfs, 'etc/passwd'));
  const groups = parseGroup(readInRoot(rootfs, 'etc/group'));
  const [userPart, groupPart] = spec === '' ? ['', undefined] : (spec.split(':', 2) as [string, string | undefined]);

  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined = 'root';
  if (userPart !== '') {
    const entry = isNumeric(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
    if (entry) {
      uid = entry.uid;
      gid = entry.gid;
      home = entry.home || '/';
      name = entry.name;
    } else if (isNumeric(userPart)) {
      uid = Number(userPart);
      name = undefined;
    } else {
      throw new UserError(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  } else {
    const root = passwd.find((p) => p.uid === 0);
    if (root) home = root.home || '/';
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = isNumeric(groupPart) ? groups.find((e) => e.gid === Number(groupPart)) : groups.find((e) => e.name === groupPart);
    if (g) gid = g.gid;
    else if (isNumeric(groupPart)) gid = Number(groupPart);
    else throw new UserError(`unable to find group ${groupPart}: no matching entries in group file`);
  }
  const extra = new Set<number>();
  if (groupPart === undefined && name !== undefined) {
    for (const g of groups) if (g.members.includes(name) && g.gid !== gid) extra.add(g.gid);
  }
  for (const a of additional) {
    const g = isNumeric(a) ? { gid: Number(a) } : groups.find((e) => e.name === a);
    if (!g) throw new UserError(`Unable to find group ${a}: no matching entries in group file`);
    extra.add(g.gid);
  }
  // containerd lists the primary group among the supplementary ones; `id` shows it as dockerd's containers do.
  extra.delete(gid);
  return { uid, gid, additionalGids: [gid, ...extra], home };
}
