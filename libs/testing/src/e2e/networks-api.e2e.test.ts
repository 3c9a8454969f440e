// The network API through the real Docker CLI and raw requests: ls, create,
// inspect, filters, rm, prune, system prune, connect/disconnect errors,
// events, and the JSON shapes at two API versions. Subnets given here are
// from 10.64.0.0/16, this file's own range.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const lines = (out: string): string[] => out.split('\n').filter((l) => l !== '').sort();
const inspectNet = async (name: string): Promise<Record<string, any>> => JSON.parse(await ok(['network', 'inspect', name]))[0];
const names = async (...filters: string[]): Promise<string[]> =>
  lines(await ok(['network', 'ls', ...filters.flatMap((f) => ['--filter', f]), '--format', '{{.Name}}']));

/** dockerd's Network fields, in its order (API 1.50; the list shares them). */
const NETWORK_KEYS = [
  'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress',
  'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels',
];

describe('predefined networks', () => {
  test('ls shows bridge, host and none, with the same IDs after network-service restarts', async () => {
    assert.deepEqual(
      lines(await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'])),
      ['bridge bridge local', 'host host local', 'none null local'],
    );
    const ids = await ok(['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}']);
    for (const line of lines(ids)) assert.match(line, /^[0-9a-f]{64} (bridge|host|none)$/);
    await berth.killService('network');
    await berth.startService('network');
    assert.deepEqual(lines(await ok(['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}'])), lines(ids));
  });

  test('inspect bridge: dockerd\'s fields, local scope, the default bridge\'s subnet', async () => {
    const n = await inspectNet('bridge');
    assert.deepEqual(Object.keys(n), NETWORK_KEYS);
    assert.equal(n.Driver, 'bridge');
    assert.equal(n.Scope, 'local');
    assert.equal(n.IPAM.Driver, 'default');
    assert.equal(n.IPAM.Config[0].Subnet, berth.env.BERTH_BRIDGE_SUBNET);
    assert.deepEqual(n.ConfigFrom, { Network: '' });
    assert.equal((await inspectNet('host')).Driver, 'host');
    assert.equal((await inspectNet('none')).Driver, 'null');
  });

  test('a predefined network can be neither removed nor created', async () => {
    for (const name of ['bridge', 'host', 'none']) {
      assert.match(await fails(['network', 'rm', name]), new RegExp(`${name} is a pre-defined network and cannot be removed`));
    }
    assert.match(await fails(['network', 'create', 'host']), /operation is not permitted on predefined host network/);
    assert.equal((await names()).length, 3);
  });
});

describe('user networks', () => {
  test('create with subnet, gateway, ip-range, aux address, labels, options and internal; inspect shows them', async () => {
    const id = (await ok([
      'network', 'create', '--subnet', '10.64.1.0/24', '--gateway', '10.64.1.1', '--ip-range', '10.64.1.128/25',
      '--aux-address', 'host1=10.64.1.5', '--label', 'team=a', '--label', 'tier', '-o', 'com.docker.network.driver.mtu=1400',
      '--internal', 'neta',
    ])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const n = await inspectNet('neta');
    assert.deepEqual(Object.keys(n), NETWORK_KEYS);
    assert.equal(n.Name, 'neta');
    assert.equal(n.Id, id);
    assert.ok(Math.abs(Date.parse(n.Created) - Date.now()) < 120_000, n.Created);
    assert.equal(n.Scope, 'local');
    assert.equal(n.Driver, 'bridge');
    assert.equal(n.EnableIPv6, false);
    assert.deepEqual(n.IPAM, {
      Driver: 'default', Options: {},
      Config: [{ Subnet: '10.64.1.0/24', IPRange: '10.64.1.128/25', Gateway: '10.64.1.1', AuxiliaryAddresses: { host1: '10.64.1.5' } }],
    });
    assert.equal(n.Internal, true);
    assert.equal(n.Attachable, false);
    assert.deepEqual(n.Containers, {});
    assert.equal(n.Options['com.docker.network.driver.mtu'], '1400');
    assert.deepEqual(n.Labels, { team: 'a', tier: '' });
    // By full ID and by a unique prefix too.
    assert.equal((await ok(['network', 'inspect', '-f', '{{.Name}}', id])).trim(), 'neta');
    assert.equal((await ok(['network', 'inspect', '-f', '{{.Name}}', id.slice(0, 10)])).trim(), 'neta');
    assert.match(await fails(['network', 'inspect', 'nosuchnet']), /network nosuchnet not found/);
  });

  test('a network without a subnet gets one from the default pools', async () => {
    await ok(['network', 'create', 'netauto']);
    const n = await inspectNet('netauto');
    assert.match(n.IPAM.Config[0].Subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    assert.match(n.IPAM.Config[0].Gateway, /^\d+\.\d+\.\d+\.\d+$/);
    await ok(['network', 'rm', 'netauto']);
  });

  test('create refuses an overlapping subnet, a duplicate name and an unknown driver', async () => {
    await ok(['network', 'create', '--subnet', '10.64.2.0/24', 'netb']);
    assert.match(await fails(['network', 'create', '--subnet', '10.64.2.128/25', 'netc']), /Pool overlaps with other one on this address space/);
    assert.match(await fails(['network', 'create', '--subnet', '10.64.3.0/24', 'netb']), /network with name netb already exists/);
    assert.match(await fails(['network', 'create', '--driver', 'nosuchdriver', 'netd']), /plugin .*not found|not found.*plugin/);
    assert.deepEqual(await names('name=netc'), []);
    assert.deepEqual(await names('name=netd'), []);
  });

  test('ls filters: name, id, label, driver, type, scope, dangling; an unknown filter is refused', async () => {
    const idA = (await inspectNet('neta')).Id as string;
    assert.deepEqual(await names('name=net'), ['neta', 'netb']);
    assert.deepEqual(await names(`id=${idA.slice(0, 12)}`), ['neta']);
    assert.deepEqual(await names('label=team=a'), ['neta']);
    assert.deepEqual(await names('label=tier'), ['neta']);
    assert.deepEqual(await names('driver=bridge'), ['bridge', 'neta', 'netb']);
    assert.deepEqual(await names('driver=null'), ['none']);
    assert.deepEqual(await names('type=builtin'), ['bridge', 'host', 'none']);
    assert.deepEqual(await names('type=custom'), ['neta', 'netb']);
    assert.deepEqual(await names('scope=local'), ['bridge', 'host', 'neta', 'netb', 'none']);
    assert.deepEqual(await names('dangling=true'), ['neta', 'netb']);
    assert.deepEqual(await names('dangling=false'), ['bridge', 'host', 'none']);
    assert.match(await fails(['network', 'ls', '--filter', 'colour=red']), /invalid filter 'colour'/);
  });

  test('rm removes by name or ID; an unknown network is not found', async () => {
    await ok(['network', 'create', '--subnet', '10.64.4.0/24', 'nete']);
    const id = (await inspectNet('nete')).Id as string;
    assert.equal((await ok(['network', 'rm', id.slice(0, 12)])).trim(), id.slice(0, 12));
    assert.deepEqual(await names('name=nete'), []);
    assert.match(await fails(['network', 'rm', 'nete']), /network nete not found/);
  });

  test('a network in use cannot be removed; connect and disconnect refuse unknown containers and networks', async () => {
    await ok(['network', 'create', '--subnet', '10.64.5.0/24', 'netf']);
    await ok(['create', '--name', 'cf', '--network', 'netf', 'busybox', 'sleep', '300']);
    await ok(['start', 'cf']);
    assert.match(await fails(['network', 'rm', 'netf']), /has active endpoints/);
    assert.match(await fails(['network', 'connect', 'netf', 'nosuchctr']), /No such container: nosuchctr/);
    assert.match(await fails(['network', 'connect', 'nosuchnet', 'cf']), /network nosuchnet not found/);
    assert.match(await fails(['network', 'disconnect', 'netf', 'nosuchctr']), /No such container: nosuchctr/);
    assert.match(await fails(['network', 'disconnect', 'nosuchnet', 'cf']), /network nosuchnet not found/);
    // The list shows the network in use now.
    assert.deepEqual(await names('dangling=false'), ['bridge', 'host', 'netf', 'none']);
    const n = await inspectNet('netf');
    const cid = (await ok(['inspect', '-f', '{{.Id}}', 'cf'])).trim();
    assert.deepEqual(Object.keys(n.Containers), [cid]);
    assert.equal(n.Containers[cid].Name, 'cf');
    assert.match(n.Containers[cid].IPv4Address, /^10\.64\.5\.\d+\/24$/);
    await ok(['rm', '-f', 'cf']);
    await ok(['network', 'rm', 'netf']);
  });

  test('connect and disconnect a created container; inspect follows', async () => {
    await ok(['network', 'create', '--subnet', '10.64.6.0/24', 'netg']);
    await ok(['create', '--name', 'cg', 'busybox', 'sleep', '300']);
    await ok(['network', 'connect', '--alias', 'gee', 'netg', 'cg']);
    const nets = JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'cg']));
    assert.deepEqual(Object.keys(nets).sort(), ['bridge', 'netg']);
    assert.deepEqual(nets.netg.Aliases, ['gee']);
    await ok(['network', 'disconnect', 'netg', 'cg']);
    assert.deepEqual(Object.keys(JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'cg']))), ['bridge']);
    await ok(['rm', '-f', 'cg']);
    await ok(['network', 'rm', 'netg']);
  });
});

describe('prune', () => {
  test('network prune -f removes the unused user networks, with label and until filters', async () => {
    await ok(['network', 'create', '--subnet', '10.64.7.0/24', '--label', 'keep', 'netp1']);
    await ok(['network', 'create', '--subnet', '10.64.8.0/24', 'netp2']);
    assert.doesNotMatch(await ok(['network', 'prune', '-f', '--filter', 'until=1h']), /netp/);
    const out = await ok(['network', 'prune', '-f', '--filter', 'label!=keep']);
    assert.match(out, /Deleted Networks:\n/);
    assert.match(out, /^netp2$/m);
    assert.doesNotMatch(out, /netp1/);
    assert.ok((await names()).includes('netp1'));
    assert.match(await fails(['network', 'prune', '-f', '--filter', 'name=x']), /invalid filter 'name'/);
  });

  test('docker system prune -f removes an unused network and keeps the predefined ones', async () => {
    await ok(['network', 'create', '--subnet', '10.64.9.0/24', 'nets1']);
    const out = await ok(['system', 'prune', '-f']);
    assert.match(out, /Deleted Networks:\n(?:.*\n)*nets1\n/);
    const left = await names();
    assert.ok(!left.includes('nets1'), left.join(' '));
    for (const n of ['bridge', 'host', 'none']) assert.ok(left.includes(n));
  });
});

describe('events', () => {
  test('docker events --filter type=network and network=<name> show create and destroy', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['network', 'create', '--subnet', '10.64.10.0/24', 'netev']);
    const id = (await inspectNet('netev')).Id as string;
    await ok(['network', 'rm', 'netev']);
    await ok(['network', 'create', '--subnet', '10.64.11.0/24', 'netother']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const fmt = ['--format', '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'];
    const byType = lines(await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=network', ...fmt]));
    assert.ok(byType.includes(`network create ${id} netev`), byType.join('\n'));
    assert.ok(byType.includes(`network destroy ${id} netev`), byType.join('\n'));
    const byName = lines(await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'network=netev', ...fmt]));
    assert.deepEqual(byName, [`network create ${id} netev`, `network destroy ${id} netev`]);
    const byId = lines(await ok(['events', '--since', String(since), '--until', String(until), '--filter', `network=${id.slice(0, 12)}`, ...fmt]));
    assert.deepEqual(byId, byName);
    await ok(['network', 'rm', 'netother']);
  });
});

describe('raw API', () => {
  test('the Network shape at /v1.41 and /v1.47: same fields, Containers {} in a list', async () => {
    await ok(['network', 'create', '--subnet', '10.64.12.0/24', 'netraw']);
    for (const v of ['v1.41', 'v1.47']) {
      const list = await berth.request('GET', `/${v}/networks?filters=${encodeURIComponent('{"name":{"netraw":true}}')}`);
      assert.equal(list.status, 200);
      const [n] = list.json<Record<string, any>[]>();
      assert.deepEqual(Object.keys(n!), NETWORK_KEYS, v);
      assert.deepEqual(n!.Containers, {});
      const one = await berth.request('GET', `/${v}/networks/netraw`);
      assert.equal(one.status, 200);
      assert.deepEqual(Object.keys(one.json<Record<string, unknown>>()), NETWORK_KEYS, v);
    }
    const missing = await berth.request('GET', '/v1.47/networks/nosuchnet');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'network nosuchnet not found' });
    const badVerbose = await berth.request('GET', '/v1.47/networks/netraw?verbose=maybe');
    assert.equal(badVerbose.status, 400);
    const noName = await berth.request('POST', '/v1.41/networks/create', {});
    assert.equal(noName.status, 400);
    assert.deepEqual(noName.json(), { message: 'invalid name: name is empty' });
    const badType = await berth.request('POST', '/v1.47/networks/create', { Name: 'x', Internal: 'yes' });
    assert.equal(badType.status, 400);
    assert.match(badType.json<{ message: string }>().message, /^invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Internal of type bool/);
    const created = await berth.request('POST', '/v1.47/networks/create', { name: 'netraw2', CheckDuplicate: true, IPAM: { Config: [{ Subnet: '10.64.13.0/24' }] } });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json<Record<string, unknown>>()), ['Id', 'Warning']);
    assert.equal((await berth.request('DELETE', '/v1.41/networks/netraw2')).status, 204);
    const pruned = await berth.request('POST', '/v1.41/networks/prune');
    assert.equal(pruned.status, 200);
    assert.deepEqual(pruned.json(), { NetworksDeleted: ['netraw'] });
  });

  test('create on two networks is refused before 1.44, in dockerd\'s words', async () => {
    const body = { Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: {}, host: {} } } };
    const res = await berth.request('POST', '/v1.43/containers/create', body);
    assert.equal(res.status, 400);
    assert.match(res.json<{ message: string }>().message, /^Container cannot be created with multiple network endpoints: (bridge, host|host, bridge)$/);
  });

  test('inspect\'s Aliases carry the short ID and hostname before 1.45 only', async () => {
    await ok(['network', 'create', '--subnet', '10.64.14.0/24', 'netal']);
    const id = (await ok(['run', '-d', '--name', 'cal', '--network', 'netal', '--network-alias', 'web', 'busybox', 'sleep', '300'])).trim();
    const at = async (v: string): Promise<Record<string, any>> => (await berth.request('GET', `/${v}/containers/cal/json`)).json<Record<string, any>>().NetworkSettings.Networks.netal;
    assert.deepEqual((await at('v1.45')).Aliases, ['web']);
    // The hostname is the short ID, so it appears once.
    assert.deepEqual((await at('v1.44')).Aliases, ['web', id.slice(0, 12)]);
    await ok(['rm', '-f', 'cal']);
    await ok(['network', 'rm', 'netal']);
  });

  test('docker ps and the summary show published ports', async () => {
    await ok(['run', '-d', '--name', 'cps', '-p', '127.0.0.1::80', 'busybox', 'sleep', '300']);
    try {
      const ports = (await ok(['ps', '--filter', 'name=cps', '--format', '{{.Ports}}'])).trim();
      assert.match(ports, /^127\.0\.0\.1:\d+->80\/tcp$/);
      const summary = (await berth.request('GET', `/v1.47/containers/json?filters=${encodeURIComponent('{"name":["cps"]}')}`)).json<Record<string, any>[]>();
      assert.deepEqual(summary[0]!.Ports.map((p: Record<string, unknown>) => [p.IP, p.PrivatePort, p.Type]), [['127.0.0.1', 80, 'tcp']]);
      assert.ok(Number(summary[0]!.Ports[0].PublicPort) > 0);
    } finally {
      await ok(['rm', '-f', 'cps']);
    }
  });
});
