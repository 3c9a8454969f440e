import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { vethScript } from './veth';

const plan = {
  hostVeth: 'veth1234567', bridge: 'br-0123456789ab', ifName: 'eth1', macAddress: '02:42:0a:3d:01:05',
  addressCidr: '10.61.1.5/24', defaultGateway: '10.61.1.1', mtu: 1400, alias: 'berth:bt1a2b3c',
};

test('the endpoint script: host side and container side in one ip -batch each, default route, MTU, alias, unsolicited ARP', () => {
  const s = vethScript(plan, '/proc/1/ns/net');
  assert.match(s, /^nsenter --net=\/proc\/1\/ns\/net ip -batch - <<EOF\nlink add veth1234567 mtu 1400 type veth peer name eth1 mtu 1400 address 02:42:0a:3d:01:05 netns \$\$\nlink set dev veth1234567 master br-0123456789ab alias berth:bt1a2b3c up\nEOF\n/);
  assert.match(s, /\nip -batch - <<EOF\naddr add 10\.61\.1\.5\/24 brd \+ dev eth1\nlink set eth1 up\nroute replace default via 10\.61\.1\.1 dev eth1\nEOF\n/);
  assert.match(s, /arping -U -c 3 -I eth1 10\.61\.1\.5.*<\/dev\/null >\/dev\/null 2>&1 &$/);
  assert.doesNotMatch(vethScript({ ...plan, defaultGateway: '', mtu: 0 }, '/x'), /route|mtu/);
});

test('names that could break the script are refused', () => {
  assert.throws(() => vethScript({ ...plan, bridge: 'br;rm -rf' }, '/x'), /invalid interface name/);
  assert.throws(() => vethScript({ ...plan, macAddress: '02:42:0a:3d:01' }, '/x'), /invalid MAC/);
  assert.throws(() => vethScript({ ...plan, alias: "berth:x'y" }, '/x'), /invalid interface alias/);
});
