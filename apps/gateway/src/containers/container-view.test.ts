import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerInspectView, containerSummaryView } from './container-view';
import { containerMessage } from '../testing/messages';
import { featuresFor } from '../versions/features';

test('inspect: a created container shows Go zero times, null ExecIDs, dockerd\'s empty NetworkSettings and no sizes', () => {
  const v = containerInspectView(containerMessage('c1'));
  assert.deepEqual(v.State, {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '',
    StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z',
  });
  assert.equal(v.Name, '/web');
  assert.equal(v.ExecIDs, null);
  assert.equal((v.NetworkSettings as { IPAddress: string }).IPAddress, '');
  assert.deepEqual((v.Config as { Cmd: string[] }).Cmd, ['sh', '-c', 'echo hi there']);
  assert.equal((v.Config as { OnBuild: unknown }).OnBuild, null);
  assert.equal('SizeRw' in v, false);
  assert.deepEqual(v.GraphDriver, { Data: null, Name: 'overlay2' });
});

test('inspect: running with health, mounts (Name and Driver for volumes only), sizes when asked', () => {
  const v = containerInspectView(containerMessage('c2', {
    sizeRw: 10, sizeRootFs: 100,
    state: { status: 'running', pid: 42, exitCode: 0, error: '', oomKilled: false, startedAt: '2026-12-03T10:00:01Z', finishedAt: '', health: { status: 'healthy', failingStreak: 0, log: [{ start: 's', end: 'e', exitCode: 0, output: 'ok' }] } },
    mounts: [
      { type: 'volume', name: 'data', source: '/v/data/_data', destination: '/data', driver: 'local', mode: 'z', rw: true, propagation: '' },
      { type: 'bind', name: '', source: '/host', destination: '/h', driver: '', mode: 'ro', rw: false, propagation: 'rprivate' },
    ],
  }));
  assert.equal((v.State as { Running: boolean }).Running, true);
  assert.deepEqual((v.State as { Health: unknown }).Health, { Status: 'healthy', FailingStreak: 0, Log: [{ Start: 's', End: 'e', ExitCode: 0, Output: 'ok' }] });
  assert.deepEqual(v.Mounts, [
    { Type: 'volume', Name: 'data', Source: '/v/data/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'bind', Source: '/host', Destination: '/h', Mode: 'ro', RW: false, Propagation: 'rprivate' },
  ]);
  assert.equal(v.SizeRw, 10);
  assert.equal(v.SizeRootFs, 100);
});

test('ps: command quoting, labels, status text, network mode and networks', () => {
  const v = containerSummaryView(containerMessage('c3', {
    state: { status: 'exited', pid: 0, exitCode: 3, error: '', oomKilled: false, startedAt: '2026-12-03T10:00:01Z', finishedAt: new Date(Date.now() - 5000).toISOString(), health: undefined },
    networksJson: JSON.stringify({ bridge: { IPAddress: '' } }),
  }));
  assert.equal(v.Command, "sh -c 'echo hi there'");
  assert.deepEqual(v.Labels, { k: 'v' });
  assert.match(String(v.Status), /^Exited \(3\) \d seconds ago$/);
  assert.deepEqual(v.HostConfig, { NetworkMode: 'bridge' });
  assert.deepEqual(v.NetworkSettings, { Networks: { bridge: { IPAddress: '' } } });
  assert.equal(v.Created, Math.floor(Date.parse('2026-12-03T10:00:00.5Z') / 1000));
});

test('ps: Ports from container-service\'s ports_json, [] when empty', () => {
  const ports = [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }];
  assert.deepEqual(containerSummaryView(containerMessage('c4', { portsJson: JSON.stringify(ports) })).Ports, ports);
  assert.deepEqual(containerSummaryView(containerMessage('c5', { portsJson: '' })).Ports, []);
});

test('inspect: before 1.45 user-network Aliases also hold the short ID and the hostname; the bridge\'s never', () => {
  const id = 'f'.repeat(64);
  const settings = {
    Networks: {
      bridge: { Aliases: null, DNSNames: null },
      net1: { Aliases: ['db'], DNSNames: ['web', 'db', 'ffffffffffff'] },
      net2: { Aliases: null, DNSNames: ['web', 'ffffffffffff'] },
    },
  };
  const c = containerMessage(id, { networkSettingsJson: JSON.stringify(settings), configJson: JSON.stringify({ Image: 'busybox', Hostname: 'ffffffffffff' }) });
  type Nets = Record<string, { Aliases: string[] | null; DNSNames: string[] | null }>;
  const old = (containerInspectView(c, featuresFor('1.44')).NetworkSettings as { Networks: Nets }).Networks;
  assert.deepEqual(old.net1!.Aliases, ['db', 'ffffffffffff']);
  assert.deepEqual(old.net2!.Aliases, ['ffffffffffff']);
  assert.equal(old.bridge!.Aliases, null);
  const now = (containerInspectView(c, featuresFor('1.45')).NetworkSettings as { Networks: Nets }).Networks;
  assert.deepEqual(now.net1!.Aliases, ['db']);
  assert.equal(now.net2!.Aliases, null);
  assert.deepEqual(now.net1!.DNSNames, ['web', 'db', 'ffffffffffff']);
});
