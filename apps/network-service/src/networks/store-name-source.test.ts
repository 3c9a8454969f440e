import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addressPlan } from '../ipam/network-ipam';
import { NetworkStore } from './network-store';
import { StoreNameSource } from './store-name-source';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-names-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 10.255.0.53\nsearch x\n');

function setUp() {
  const store = new NetworkStore(path.join(dir, `${Math.random()}.db`));
  const nets: Record<string, { id: string; plan: ReturnType<typeof addressPlan> }> = {};
  for (const [name, third] of [['front', 1], ['back', 2], ['sealed', 3]] as const) {
    const id = String(third).repeat(64);
    const ipam = { subnet: `10.61.${third}.0/24`, ipRange: '', gateway: `10.61.${third}.1`, auxAddresses: {} };
    store.createNetwork({
      name, id, driver: 'bridge', created: '', scope: 'local', internal: name === 'sealed', attachable: false, ingress: false, enableIpv4: true, enableIpv6: false,
      ipamDriver: 'default', ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', bridge: `br-${name}`,
    }, () => [ipam]);
    nets[name] = { id, plan: addressPlan(ipam) };
  }
  const join = (containerId: string, name: string, network: string, extra: { aliases?: string[]; links?: string[]; dns?: string[] } = {}) => {
    if (!store.sandbox(containerId)) store.putSandbox({ containerId, containerName: name, hostname: containerId.slice(0, 12), netnsPath: '/x', sandboxId: 's', dns: extra.dns ?? [], hostNetwork: false, ports: {} });
    const aliases = extra.aliases ?? [];
    return store.addEndpoint({
      containerId, networkId: nets[network].id, containerName: name, macAddress: '02:00:00:00:00:01', hostVeth: 'v', endpointId: 'e',
      aliases, links: extra.links ?? [], dnsNames: [name, ...aliases, containerId.slice(0, 12)], requestedIpv4: '', driverOpts: {}, gwPriority: 0,
    }, { plan: nets[network].plan, requested: '' });
  };
  return { store, nets, join, names: new StoreNameSource(store, path.join(dir, 'resolv.conf')) };
}

const ID = (c: string) => c.repeat(64);

test('names resolve only among containers sharing a user network; shared aliases give several answers', () => {
  const { store, join, names } = setUp();
  join(ID('a'), 'web_1', 'front', { aliases: ['web'] });       // 10.61.1.2
  join(ID('b'), 'web_2', 'front', { aliases: ['web'] });       // 10.61.1.3
  join(ID('c'), 'proxy', 'front', { links: ['web_1:legacy'] }); // 10.61.1.4
  join(ID('c'), 'proxy', 'back');                               // 10.61.2.2
  join(ID('d'), 'DB', 'back', { dns: ['10.61.9.9'] });          // 10.61.2.3
  assert.deepEqual(names.lookup('10.61.1.4', 'web'), ['10.61.1.2', '10.61.1.3']);
  assert.deepEqual(names.lookup('10.61.1.4', 'WEB_1.'), ['10.61.1.2']);
  assert.deepEqual(names.lookup('10.61.1.4', 'db'), ['10.61.2.3'], 'the client shares back with db');
  assert.deepEqual(names.lookup('10.61.1.4', 'db.back'), ['10.61.2.3']);
  assert.deepEqual(names.lookup('10.61.1.4', 'db.front'), []);
  assert.deepEqual(names.lookup('10.61.1.2', 'db'), [], 'web_1 is not on back');
  assert.deepEqual(names.lookup('10.61.2.3', 'proxy'), ['10.61.2.2'], 'the address on the network they share');
  assert.deepEqual(names.lookup('10.61.1.4', 'legacy'), ['10.61.1.2'], "a link's alias");
  assert.deepEqual(names.lookup('10.61.1.2', 'legacy'), [], 'only for the container that has the link');
  assert.deepEqual(names.lookup('10.61.1.4', 'a'.repeat(12)), ['10.61.1.2']);
  assert.deepEqual(names.lookup('10.61.1.4', 'a'.repeat(64)), ['10.61.1.2']);
  assert.deepEqual(names.lookup('10.61.1.4', 'example.com'), []);
  assert.equal(names.lookup('10.61.7.7', 'web'), undefined, 'not a container');
  assert.equal(names.reverse('10.61.1.4', '10.61.1.3'), 'web_2.front');
  assert.equal(names.reverse('10.61.1.2', '10.61.2.3'), undefined);
  assert.deepEqual(names.upstreams('10.61.2.3'), ['10.61.9.9']);
  assert.deepEqual(names.upstreams('10.61.1.2'), ['10.255.0.53']);

  // Live: a container leaving is gone from the answers at once.
  store.removeEndpoint(ID('b'), '1'.repeat(64));
  assert.deepEqual(names.lookup('10.61.1.4', 'web'), ['10.61.1.2']);
  join(ID('e'), 'web_3', 'front', { aliases: ['web'] });
  assert.deepEqual(names.lookup('10.61.1.4', 'web'), ['10.61.1.2', '10.61.1.3']);
  store.close();
});

test('nothing is forwarded for a container whose networks are all Internal; one more network that reaches out brings the upstreams back', () => {
  const { store, join, names } = setUp();
  join(ID('f'), 'inside', 'sealed', { dns: ['10.61.9.9'] }); // 10.61.3.2
  join(ID('g'), 'peer', 'sealed');                          // 10.61.3.3
  assert.deepEqual(names.upstreams('10.61.3.2'), []);
  assert.deepEqual(names.lookup('10.61.3.2', 'peer'), ['10.61.3.3'], 'names on the internal network still resolve');
  join(ID('f'), 'inside', 'front');
  assert.deepEqual(names.upstreams('10.61.3.2'), ['10.61.9.9']);
  store.close();
});
