// Containers on the default bridge, host and none networks, through the real
// Docker CLI. Each Berth instance has its own bridge and /24 (see bridge.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => dockerOk(berth, args, input);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const inspect = async (name: string): Promise<Record<string, any>> => JSON.parse(await ok(['inspect', name]))[0];

const bridgeName = () => berth.env.BERTH_BRIDGE_NAME;
const subnet = () => berth.env.BERTH_BRIDGE_SUBNET;
const gateway = () => subnet().replace(/0\/24$/, '1');
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function bridgePorts(): string[] {
  try {
    return fs.readdirSync(`/sys/class/net/${bridgeName()}/brif`);
  } catch {
    return [];
  }
}

describe('default bridge', () => {
  test('the container gets eth0 with an address of the bridge subnet, a default route, and reaches the gateway and the host', async () => {
    const out = await ok(['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0; ip route; ping -c 1 -W 2 $(ip route | awk "/default/ {print \\$3}") >/dev/null && echo gw-ok']);
    assert.match(out, new RegExp(`eth0\\s+inet ${re(subnet().replace(/0\/24$/, ''))}\\d+/24`));
    assert.match(out, new RegExp(`^default via ${re(gateway())} dev eth0`, 'm'));
    assert.match(out, /^gw-ok$/m);
    const hostAddr = /src (\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('ip', ['route', 'get', '1.1.1.1'], { encoding: 'utf8' }));
    if (hostAddr) assert.match(await ok(['run', '--rm', 'busybox', 'sh', '-c', `ping -c 1 -W 2 ${hostAddr[1]} >/dev/null && echo host-ok`]), /^host-ok$/m);
  });

  test('inspect shows the address, gateway, MAC and network of a running container; stop releases them', async () => {
    await ok(['run', '-d', '--name', 'web', 'busybox', 'sleep', '300']);
    const c = await inspect('web');
    const ns = c.NetworkSettings;
    assert.match(ns.IPAddress, new RegExp(`^${re(subnet().replace(/0\/24$/, ''))}\\d+$`));
    assert.equal(ns.Gateway, gateway());
    assert.equal(ns.IPPrefixLen, 24);
    assert.match(ns.SandboxID, /^[0-9a-f]{64}$/);
    assert.match(ns.SandboxKey, new RegExp(`/netns/${c.Id}$`));
    assert.deepEqual(Object.keys(ns.Networks), ['bridge']);
    const ep = ns.Networks.bridge;
    assert.equal(ep.IPAddress, ns.IPAddress);
    assert.equal(ep.MacAddress, ns.MacAddress);
    assert.match(ep.NetworkID, /^[0-9a-f]{64}$/);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
    // What the container itself sees matches inspect.
    const addr = await ok(['exec', 'web', 'ip', '-o', 'addr', 'show', 'eth0']);
    assert.match(addr, new RegExp(`inet ${re(ns.IPAddress)}/24`));
    assert.doesNotMatch(addr, /inet6/, 'IPv6 is off on eth0, as dockerd does on an IPv4-only network');
    assert.match(await ok(['exec', 'web', 'cat', '/sys/class/net/eth0/address']), new RegExp(`^${ns.MacAddress}$`, 'm'));
    assert.match(await ok(['exec', 'web', 'cat', '/etc/hosts']), new RegExp(`^${re(ns.IPAddress)}\\t${c.Config.Hostname}$`, 'm'));
    assert.equal(bridgePorts().length, 1);
    // Two containers reach each other across the bridge.
    assert.match(await ok(['run', '--rm', 'busybox', 'sh', '-c', `ping -c 1 -W 2 ${ns.IPAddress} >/dev/null && echo peer-ok`]), /^peer-ok$/m);

    await ok(['stop', '-t', '0', 'web']);
    assert.deepEqual(bridgePorts(), [], 'the veth went with the container');
    assert.ok(!fs.existsSync(ns.SandboxKey), 'the namespace file is gone');
    await ok(['rm', 'web']);
  });

  test('concurrent containers get distinct addresses', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `par${i}`);
    await Promise.all(names.map((n) => ok(['run', '-d', '--name', n, 'busybox', 'sleep', '300'])));
    const ips = await Promise.all(names.map(async (n) => (await inspect(n)).NetworkSettings.IPAddress as string));
    assert.equal(new Set(ips).size, names.length, ips.join(' '));
    await ok(['rm', '-f', ...names]);
    assert.deepEqual(bridgePorts(), []);
  });

  test('the bridge NATs outbound traffic and IP forwarding is on', async () => {
    await ok(['run', '--rm', 'busybox', 'true']);
    assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
    // In the instance's own chain (BERTH-POST-<tag>), jumped to from POSTROUTING.
    const nat = execFileSync('iptables', ['-w', '-t', 'nat', '-S', `BERTH-POST-${bridgeName()}`], { encoding: 'utf8' });
    assert.match(nat, new RegExp(`-s ${re(subnet())} ! -o ${bridgeName()} .*-j MASQUERADE`));
    const upstream = /via (\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('ip', ['route', 'get', '1.1.1.1'], { encoding: 'utf8' }));
    if (upstream && spawnSync('busybox', ['ping', '-c', '1', '-W', '2', upstream[1]], { stdio: 'ignore' }).status === 0) {
      assert.match(await ok(['run', '--rm', 'busybox', 'sh', '-c', `ping -c 1 -W 2 ${upstream[1]} >/dev/null && echo nat-ok`]), /^nat-ok$/m);
    }
  });

  test('resolv.conf: the host file without loopback nameservers', async () => {
    const host = fs.readFileSync('/etc/resolv.conf', 'utf8');
    const inside = await ok(['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.doesNotMatch(inside, /^nameserver\s+(127\.|::1)/m);
    assert.match(inside, /^nameserver\s+\S+/m);
    for (const line of host.split('\n').filter((l) => /^(search|options)\s/.test(l))) assert.ok(inside.includes(line), `${line} kept`);
  });
});

test('docker events shows network connect and disconnect around a run', async () => {
  const since = Math.floor(Date.now() / 1000);
  const id = (await ok(['run', '-d', 'busybox', 'true'])).trim();
  await ok(['wait', id]);
  await ok(['rm', id]);
  const until = Math.floor(Date.now() / 1000) + 1;
  const out = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}} {{.Actor.Attributes.container}}']);
  const mine = out.trim().split('\n').filter((l) => l.endsWith(id));
  assert.deepEqual(mine, [`connect bridge bridge ${id}`, `disconnect bridge bridge ${id}`]);
});

test('a container started before network-service was killed and restarted still has its network released on stop', async () => {
  await ok(['run', '-d', '--name', 'survivor', 'busybox', 'sleep', '300']);
  const before = (await inspect('survivor')).NetworkSettings;
  await berth.killService('network');
  await berth.startService('network');
  // The running container kept its network meanwhile.
  assert.match(await ok(['exec', 'survivor', 'ip', '-o', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${re(before.IPAddress)}/`));
  // A new container does not get the survivor's address.
  await ok(['run', '-d', '--name', 'newcomer', 'busybox', 'sleep', '300']);
  assert.notEqual((await inspect('newcomer')).NetworkSettings.IPAddress, before.IPAddress);
  await ok(['rm', '-f', 'survivor', 'newcomer']);
  assert.deepEqual(bridgePorts(), []);
  assert.ok(!fs.existsSync(before.SandboxKey));
});

describe('--network none and host', () => {
  test('none: loopback only', async () => {
    const out = await ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']);
    assert.deepEqual(out.trim().split('\n').map((l) => l.split(':')[1].trim()), ['lo']);
    assert.match(await ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', '-4', 'addr']), /lo\s+inet 127\.0\.0\.1\/8/);
    await ok(['run', '-d', '--name', 'isolated', '--network', 'none', 'busybox', 'sleep', '300']);
    const ns = (await inspect('isolated')).NetworkSettings;
    assert.deepEqual(Object.keys(ns.Networks), ['none']);
    assert.equal(ns.IPAddress, '');
    assert.equal(ns.Networks.none.IPAddress, '');
    assert.match(ns.Networks.none.NetworkID, /^[0-9a-f]{64}$/);
    await ok(['rm', '-f', 'isolated']);
  });

  test("host: the host's interfaces and resolv.conf", async () => {
    const hostLinks = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => l.split(':')[1].trim().split('@')[0]);
    const out = await ok(['run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', 'link']);
    const inside = out.trim().split('\n').map((l) => l.split(':')[1].trim().split('@')[0]);
    for (const l of ['lo', 'eth0'].filter((n) => hostLinks.includes(n))) assert.ok(inside.includes(l), `${l} visible`);
    assert.equal(await ok(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/etc/resolv.conf']), fs.readFileSync('/etc/resolv.conf', 'utf8'));
    await ok(['run', '-d', '--name', 'onhost', '--network', 'host', 'busybox', 'sleep', '300']);
    const ns = (await inspect('onhost')).NetworkSettings;
    assert.deepEqual(Object.keys(ns.Networks), ['host']);
    assert.equal(ns.IPAddress, '');
    await ok(['rm', '-f', 'onhost']);
  });

  test("an unknown network is refused in dockerd's words", async () => {
    const err = await fails(['run', '--rm', '--network', 'nosuch', 'busybox', 'true']);
    assert.match(err, /network nosuch not found/);
  });
});
