import type { container } from '@berth/proto';

/** A container message as container-service sends it, for tests: created, never started. */
export function containerMessage(id: string, over: Partial<container.Container> = {}): container.Container {
  return {
    id, sizeRw: -1, sizeRootFs: -1, name: 'web', created: '2026-12-03T10:00:00.5Z', path: 'sh', args: ['-c', 'echo hi there'],
    imageId: `sha256:${'a'.repeat(64)}`, imageName: 'busybox',
    state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: '', finishedAt: '', health: undefined },
    restartCount: 0, platform: 'linux', logPath: '', resolvConfPath: '', hostnamePath: '', hostsPath: '', mounts: [],
    configJson: JSON.stringify({ Image: 'busybox', Cmd: ['sh', '-c', 'echo hi there'], Labels: { k: 'v' } }),
    hostConfigJson: JSON.stringify({ NetworkMode: 'bridge' }), networkSettingsJson: '', graphDriver: undefined, execIds: [],
    labels: { k: 'v' }, networkMode: 'bridge', networksJson: '', portsJson: '[]',
    ...over,
  };
}
