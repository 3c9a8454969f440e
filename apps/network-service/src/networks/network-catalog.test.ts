import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { EventInput } from '@berth/events';
import type { Logger } from '@berth/logging';
import { parseSubnet } from '../ipam/ipv4';
import { parseAddressPools } from '../ipam/subnet-pools';
import { DefaultBridge } from '../wiring/bridge';
import { BridgeNetworks } from './bridge-networks';
import { CreateNetworkInput, NetworkCatalog } from './network-catalog';
import { NetworkStore } from './network-store';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-catalog-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** BridgeNetworks without the host: records what would be made. */
class FakeBridges extends BridgeNetworks {
  made: string[] = [];
  removed: string[] = [];
  override async ensure(n: Parameters<BridgeNetworks['ensure']>[0]): Promise<void> { this.made.push(n.name); }
  override async remove(n: Parameters<BridgeNetworks['remove']>[0]): Promise<void> { this.removed.push(n.name); }
}

function setUp(routes = ['10.61.1.0/24']) {
  const store = new NetworkStore(path.join(dir, `${Math.random()}.db`));
  const bridges = new FakeBridges(new DefaultBridge('bttest0', parseSubnet('10.61.0.0/24')), { listen: async () => {}, unlisten: async () => {}, close: async () => {} }, quiet);
  const events: EventInput[] = [];
  const catalog = new NetworkCatalog(store, bridges, parseAddressPools('base=10.61.0.0/16,size=24'), { publish: async (e) => { events.push(e); } }, quiet, () => routes.map(parseSubnet));
  return { store, bridges, events, catalog };
}

function req(name: string, extra: Partial<CreateNetworkInput> = {}): CreateNetworkInput {
  return { name, driver: '', internal: false, attachable: false, ingress: false, enableIpv6: false, ipamDriver: '', ipamConfig: [], ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', scope: '', ...extra };
}

const code = (c: number, re: RegExp) => (e: { code: number; message: string }) => e.code === c && re.test(e.message);

test('automatic subnets skip the default bridge, host routes and other networks', async () => {
  const { catalog, bridges, events } = setUp();
  await catalog.create(req('a'));
  await catalog.create(req('b'));
  assert.equal(catalog.inspect('a').ipam[0].subnet, '10.61.2.0/24');
  assert.equal(catalog.inspect('b').ipam[0].subnet, '10.61.3.0/24');
  assert.equal(catalog.inspect('a').ipam[0].gateway, '10.61.2.1');
  assert.match(catalog.inspect('a').bridge, /^br-[0-9a-f]{12}$/);
  assert.deepEqual(bridges.made, ['a', 'b']);
  assert.deepEqual(events.map((e) => [e.Action, e.Actor.Attributes]), [['create', { name: 'a', type: 'bridge' }], ['create', { name: 'b', type: 'bridge' }]]);
});

test("create refuses in dockerd's words and codes", async () => {
  const { catalog } = setUp();
  await catalog.create(req('x', { ipamConfig: [{ subnet: '10.62.0.0/16', ipRange: '', gateway: '', auxiliaryAddresses: {} }] }));
  await assert.rejects(catalog.create(req('bridge')), code(status.PERMISSION_DENIED, /^operation is not permitted on predefined bridge network$/));
  await assert.rejects(catalog.create(req('default')), code(status.PERMISSION_DENIED, /predefined default network/));
  await assert.rejects(catalog.create(req('')), code(status.INVALID_ARGUMENT, /name is empty/));
  await assert.rejects(catalog.create(req('y', { driver: 'foo' })), code(status.NOT_FOUND, /^plugin "foo" not found$/));
  await assert.rejects(catalog.create(req('y', { ipamDriver: 'bar' })), code(status.NOT_FOUND, /^plugin "bar" not found$/));
  await assert.rejects(catalog.create(req('y', { driver: 'host' })), code(status.PERMISSION_DENIED, /only one instance of "host" network is allowed/));
  await assert.rejects(catalog.create(req('y', { driver: 'macvlan' })), code(status.INVALID_ARGUMENT, /macvlan network driver is not supported by Berth yet/));
  await assert.rejects(catalog.create(req('y', { enableIpv6: true })), code(status.INVALID_ARGUMENT, /IPv6/));
  await assert.rejects(catalog.create(req('x')), code(status.FAILED_PRECONDITION, /^network with name x already exists$/));
  await assert.rejects(catalog.create(req('y', { ipamConfig: [{ subnet: '10.62.7.0/24', ipRange: '', gateway: '', auxiliaryAddresses: {} }] })),
    code(status.PERMISSION_DENIED, /^invalid pool request: Pool overlaps with other one on this address space$/));
  await assert.rejects(catalog.create(req('y', { ipamConfig: [{ subnet: '10.61.0.128/25', ipRange: '', gateway: '', auxiliaryAddresses: {} }] })),
    code(status.PERMISSION_DENIED, /Pool overlaps/), 'the default bridge\'s subnet counts');
  await assert.rejects(catalog.create(req('y', { options: { 'com.docker.network.driver.mtu': 'big' } })), code(status.INVALID_ARGUMENT, /mtu/));
  await assert.rejects(catalog.create(req('y', { options: { 'com.docker.network.bridge.name': 'bttest0' } })), code(status.FAILED_PRECONDITION, /bridge name bttest0 is already in use/));
  assert.deepEqual(catalog.list([{ key: 'type', values: ['custom'] }]).map((n) => n.name), ['x']);
});

test('the pools running out is refused, not overlapped', async () => {
  const { catalog } = setUp(['10.61.0.0/16']);
  await assert.rejects(catalog.create(req('z')), code(status.PERMISSION_DENIED, /could not find an available, non-overlapping IPv4 address pool/));
});

test('inspect: the default bridge as dockerd shows docker0; remove and prune', async () => {
  const { catalog, store, bridges, events } = setUp();
  const b = catalog.inspect('bridge');
  assert.deepEqual(b.ipam, [{ subnet: '10.61.0.0/24', ipRange: '', gateway: '10.61.0.1', auxAddresses: {} }]);
  assert.equal(b.options['com.docker.network.bridge.name'], 'bttest0');
  assert.equal(b.options['com.docker.network.bridge.default_bridge'], 'true');
  await assert.rejects(catalog.remove('host'), code(status.PERMISSION_DENIED, /^host is a pre-defined network and cannot be removed$/));
  await assert.rejects(catalog.remove('nosuch'), code(status.NOT_FOUND, /^network nosuch not found$/));
  await catalog.create(req('keep', { labels: { keep: '1' } }));
  await catalog.create(req('p1'));
  await catalog.create(req('p2'));
  const busy = catalog.inspect('p2');
  store.addEndpoint({ containerId: 'c', networkId: busy.id, containerName: 'web', macAddress: '', hostVeth: '', endpointId: 'f'.repeat(64), aliases: [], links: [], dnsNames: [], requestedIpv4: '', driverOpts: {}, gwPriority: 0 });
  await assert.rejects(catalog.remove('p2'), code(status.PERMISSION_DENIED, /^error while removing network: network p2 has active endpoints \(name:"web" id:"ffffffffffff"\)$/));
  assert.deepEqual(await catalog.prune([{ key: 'label!', values: ['keep'] }]), ['p1']);
  assert.deepEqual(bridges.removed, ['p1']);
  assert.equal(events.at(-1)!.Action, 'destroy');
  assert.deepEqual(catalog.list([]).map((n) => n.name), ['bridge', 'host', 'keep', 'none', 'p2']);
});
