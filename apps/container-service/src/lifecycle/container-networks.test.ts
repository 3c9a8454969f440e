import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { createdEndpoint } from '../containers/network-plan';
import { lifecycleRig } from './lifecycle-fakes';

const bridgeSettings = (ip: string) => ({ IPAddress: ip, Networks: { bridge: { NetworkID: 'b'.repeat(64), IPAddress: ip } } });

function envOf(rig: ReturnType<typeof lifecycleRig>, id: string): string[] {
  return (JSON.parse(fs.readFileSync(path.join(rig.paths.bundle(id), 'config.json'), 'utf8')) as { process: { env: string[] } }).process.env;
}

describe('legacy links at start', () => {
  test('/etc/hosts gets the link line and the environment the link variables', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const db = rig.add({
      Name: 'db',
      State: { Status: 'running', Pid: 1 },
      Config: { Hostname: 'dbhost', ExposedPorts: { '5432/tcp': {} }, Env: ['PATH=/bin', 'POSTGRES_DB=app'] },
      NetworkSettings: bridgeSettings('172.17.0.3'),
    });
    const web = rig.add({ Name: 'web', HostConfig: { Links: ['db:data'] }, Config: { Hostname: 'webhost', Env: ['PATH=/bin', 'DATA_PORT=mine'] } });
    await rig.lifecycle.start(web);
    const hosts = fs.readFileSync(rig.paths.hosts(web), 'utf8');
    assert.match(hosts, /^172\.17\.0\.3\tdata dbhost db$/m);
    assert.match(hosts, /172\.17\.0\.2\twebhost\n$/);
    const env = envOf(rig, web);
    assert.ok(env.includes('DATA_NAME=/web/data'));
    assert.ok(env.includes('DATA_PORT_5432_TCP=tcp://172.17.0.3:5432'));
    assert.ok(env.includes('DATA_ENV_POSTGRES_DB=app'));
    // the container's own variable wins
    assert.ok(env.includes('DATA_PORT=mine'));
    assert.ok(!env.includes('DATA_PORT=tcp://172.17.0.3:5432'));
    // kept for execs, which get them too
    assert.ok(rig.store.get(web)!.record.LinkEnv?.includes('DATA_NAME=/web/data'));
    void db;
  });

  test('a link to a stopped container fails the start before anything is set up', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    rig.add({ Name: 'db', State: { Status: 'exited' } });
    const web = rig.add({ Name: 'web', HostConfig: { Links: ['db:data'] } });
    await assert.rejects(rig.lifecycle.start(web), { message: 'Cannot link to a non running container: /db AS /web/data' });
    assert.deepEqual(rig.steps, []);
    assert.equal(rig.status(web), 'created');
  });
});

describe('--network container:X', () => {
  test("joins X's namespace with X's files; no Attach; Networks is empty", async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const a = rig.add({ Name: 'a', Config: { Hostname: 'ahost' } });
    await rig.lifecycle.start(a);
    const b = rig.add({ Name: 'b', HostConfig: { NetworkMode: 'container:a' }, Config: { Hostname: 'bbbbbbbbbbbb' } });
    rig.steps.length = 0;
    await rig.lifecycle.start(b);
    assert.ok(!rig.steps.includes('network.attach'));
    assert.equal(fs.readFileSync(rig.paths.hosts(b), 'utf8'), fs.readFileSync(rig.paths.hosts(a), 'utf8'));
    assert.equal(fs.readFileSync(rig.paths.hostname(b), 'utf8'), 'ahost\n');
    const rb = rig.store.get(b)!.record;
    assert.equal(rb.NetnsPath, `/run/netns/${a}`);
    assert.equal(rb.Config.Hostname, 'ahost');
    assert.deepEqual(rb.NetworkSettings?.Networks, {});
    const spec = JSON.parse(fs.readFileSync(path.join(rig.paths.bundle(b), 'config.json'), 'utf8')) as { linux: { namespaces: { type: string; path?: string }[] } };
    assert.deepEqual(spec.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: `/run/netns/${a}` });
  });

  test('X must be running (409, dockerd words); X unknown is 404', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const a = rig.add({ Name: 'a' });
    const b = rig.add({ HostConfig: { NetworkMode: 'container:a' } });
    await assert.rejects(rig.lifecycle.start(b), (err: Error & { code: number }) => {
      assert.equal(err.message, `cannot join network of a non running container: ${a}`);
      assert.equal(err.code, status.FAILED_PRECONDITION);
      return true;
    });
    const c = rig.add({ HostConfig: { NetworkMode: 'container:nosuch' } });
    await assert.rejects(rig.lifecycle.start(c), { message: 'No such container: nosuch' });
    assert.equal(rig.status(b), 'created');
  });
});

describe('start on a user network', () => {
  test('with the embedded DNS resolv.conf keeps its nameserver; only search and options apply; every address in /etc/hosts', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    rig.network.answer = {
      embeddedDns: true, resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n', ipAddress: '10.65.1.2',
      settings: { Networks: { net1: { IPAddress: '10.65.1.2' }, net2: { IPAddress: '10.65.2.2' } } },
    };
    const id = rig.add({ HostConfig: { NetworkMode: 'net1', Dns: ['10.65.0.53'], DnsSearch: ['example'], DnsOptions: ['ndots:2'] }, Config: { Hostname: 'h' } });
    await rig.lifecycle.start(id);
    assert.equal(fs.readFileSync(rig.paths.resolvConf(id), 'utf8'), 'nameserver 127.0.0.11\nsearch example\noptions ndots:2\n');
    assert.match(fs.readFileSync(rig.paths.hosts(id), 'utf8'), /10\.65\.1\.2\th\n10\.65\.2\.2\th\n$/);
  });
});

describe('connect and disconnect', () => {
  test('a created container: the record only, applied at start', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const net2 = rig.networks.add('net2');
    const id = rig.add({ NetworkingConfig: { EndpointsConfig: { bridge: createdEndpoint(null, 'b'.repeat(64)) } } });
    await rig.lifecycle.connectNetwork(id, 'net2', { Aliases: ['two'] });
    assert.deepEqual(rig.steps, []);
    let r = rig.store.get(id)!.record;
    assert.deepEqual(Object.keys(r.NetworkingConfig.EndpointsConfig ?? {}), ['bridge', 'net2']);
    assert.equal((r.NetworkSettings?.Networks as Record<string, { NetworkID: string; Aliases: string[] }>).net2.NetworkID, net2.id);
    await assert.rejects(rig.lifecycle.connectNetwork(id, net2.id.slice(0, 6), {}), (err: Error & { code: number }) => {
      assert.equal(err.message, `endpoint with name c${parseInt(id.slice(0, 8), 16)} already exists in network net2`);
      assert.equal(err.code, status.PERMISSION_DENIED);
      return true;
    });
    await rig.lifecycle.start(id);
    assert.deepEqual(Object.keys(rig.network.attachedRecords[0].NetworkingConfig.EndpointsConfig ?? {}), ['bridge', 'net2']);
    await rig.lifecycle.stop(id, 0, '');
    await rig.lifecycle.disconnectNetwork(id, 'net2', false);
    r = rig.store.get(id)!.record;
    assert.deepEqual(Object.keys(r.NetworkingConfig.EndpointsConfig ?? {}), ['bridge']);
    assert.deepEqual(Object.keys(r.NetworkSettings?.Networks ?? {}), ['bridge'].filter((k) => k in (r.NetworkSettings?.Networks ?? {})));
    await assert.rejects(rig.lifecycle.disconnectNetwork(id, 'net2', false), { message: `container ${id} is not connected to the network net2` });
  });

  test('a running container: network-service wires it, the record takes its settings, /etc/hosts follows', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    rig.networks.add('net2');
    const id = rig.add({ Config: { Hostname: 'h' } });
    await rig.lifecycle.start(id);
    await rig.lifecycle.connectNetwork(id, 'net2', {});
    assert.ok(rig.steps.includes('network.connect net2'));
    let r = rig.store.get(id)!.record;
    const ip = (r.NetworkSettings?.Networks as Record<string, { IPAddress: string }>).net2.IPAddress;
    assert.ok(ip !== '');
    assert.match(fs.readFileSync(rig.paths.hosts(id), 'utf8'), new RegExp(`${ip.replace(/\./g, '\\.')}\\th\\n$`));
    await rig.lifecycle.disconnectNetwork(id, 'net2', false);
    assert.ok(rig.steps.includes('network.disconnect ' + rig.networks.known.get('net2')!.id));
    r = rig.store.get(id)!.record;
    assert.ok(!('net2' in (r.NetworkSettings?.Networks ?? {})));
    assert.ok(!fs.readFileSync(rig.paths.hosts(id), 'utf8').includes(ip));
    await assert.rejects(rig.lifecycle.disconnectNetwork(id, 'net2', false), { message: `container ${id} is not connected to network net2` });
  });

  test("dockerd's refusals: shared namespaces, host, none, aliases on the default bridge, unknown networks", async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    rig.networks.add('net2');
    const shared = rig.add({ HostConfig: { NetworkMode: 'container:x' } });
    const host = rig.add({ HostConfig: { NetworkMode: 'host' } });
    const none = rig.add({ HostConfig: { NetworkMode: 'none' } });
    const plain = rig.add();
    await assert.rejects(rig.lifecycle.connectNetwork(shared, 'net2', {}), { message: 'container sharing network namespace with another container or host cannot be connected to any other network' });
    await assert.rejects(rig.lifecycle.connectNetwork(host, 'net2', {}), { message: 'container cannot be disconnected from host network or connected to host network' });
    await assert.rejects(rig.lifecycle.connectNetwork(plain, 'host', {}), { message: 'container cannot be disconnected from host network or connected to host network' });
    await assert.rejects(rig.lifecycle.disconnectNetwork(host, 'host', false), { message: 'container cannot be disconnected from host network or connected to host network' });
    await assert.rejects(rig.lifecycle.connectNetwork(none, 'net2', {}), { message: 'container cannot be connected to multiple networks with one of the networks in private (none) mode' });
    await assert.rejects(rig.lifecycle.connectNetwork(plain, 'bridge', { Aliases: ['x'] }), { message: 'network-scoped alias is supported only for containers in user defined networks' });
    await assert.rejects(rig.lifecycle.connectNetwork(plain, 'nosuch', {}), { message: 'network nosuch not found' });
  });
});

describe('inspect after start', () => {
  test("what the container asked of an endpoint shows where network-service's answer left it null", async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    rig.network.answer = { settings: { Networks: { net1: { IPAddress: '10.65.1.2', Aliases: null, IPAMConfig: null, Links: ['kept:answer'] } } } };
    const id = rig.add({
      HostConfig: { NetworkMode: 'net1' },
      NetworkingConfig: { EndpointsConfig: { net1: createdEndpoint({ Aliases: ['web'], IPAMConfig: { IPv4Address: '10.65.1.2' }, Links: ['db:data'] }, 'x') } },
    });
    await rig.lifecycle.start(id);
    const ep = (rig.store.get(id)!.record.NetworkSettings?.Networks as Record<string, Record<string, unknown>>).net1;
    assert.deepEqual(ep.Aliases, ['web']);
    assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.65.1.2' });
    assert.deepEqual(ep.Links, ['kept:answer']);
    assert.equal(ep.IPAddress, '10.65.1.2');
  });
});
