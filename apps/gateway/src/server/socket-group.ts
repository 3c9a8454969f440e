import * as fs from 'node:fs';

/**
 * The id of a group by name (or a number given as is), from the group
 * database; undefined when there is no such group. Node has no getgrnam;
 * /etc/group is where Debian keeps local groups, which is what a socket's
 * group is (dockerd's `docker`).
 */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try {
    text = fs.readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}
