import * as fs from 'node:fs';
import type { OciDevice } from './oci-types';

/** Linux's dev_t split (glibc's gnu_dev_major/minor). */
export function devMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

export function devMinor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff);
}

/** A host device node as runc wants it (`--device /dev/x[:/dev/y]`); refuses what is not a device. */
export function hostDevice(hostPath: string, containerPath: string): OciDevice {
  let st: fs.Stats;
  try {
    st = fs.statSync(hostPath);
  } catch {
    throw new Error(`error gathering device information while adding custom device "${hostPath}": no such file or directory`);
  }
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) throw new Error(`error gathering device information while adding custom device "${hostPath}": not a device node`);
  return { path: containerPath, type, major: devMajor(st.rdev), minor: devMinor(st.rdev), fileMode: st.mode & 0o777, uid: st.uid, gid: st.gid };
}
