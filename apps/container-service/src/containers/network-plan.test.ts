import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FakeResolver } from '../lifecycle/lifecycle-fakes';
import { NetworkPlanInput, planNetworks } from './network-plan';

function input(hostConfig: Record<string, unknown>, endpointsConfig: NetworkPlanInput['endpointsConfig'] = {}, config: Record<string, unknown> = {}): NetworkPlanInput {
  return { config, hostConfig: { NetworkMode: 'bridge', ...hostConfig }, endpointsConfig };
}

async function refused(p: Promise<unknown>, message: string | RegExp, code = 3): Promise<void> {
  await assert.rejects(p, (err: Error & { code: number }) => {
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.equal(err.code, code);
    return true;
  });
}

test('the default bridge: its endpoint with the network id and no addresses, as inspect shows a created container', async () => {
  const plan = await planNetworks(input({}, { default: { Aliases: null } }), new FakeResolver());
  assert.deepEqual(Object.keys(plan.endpoints), ['bridge'], 'the CLI keys it "default"');
  const ep = plan.endpoints.bridge;
  assert.equal(ep.NetworkID, 'b'.repeat(64));
  assert.equal(ep.IPAddress, '');
  assert.equal(ep.EndpointID, '');
  assert.equal(ep.Aliases, null);
  assert.equal(ep.IPAMConfig, null);
  assert.deepEqual(Object.keys((plan.settings.Networks as Record<string, unknown>)), ['bridge']);
  assert.deepEqual(plan.settings.Ports, {});
});

test('user networks: every EndpointsConfig network resolved, the NetworkMode first, settings kept', async () => {
  const nets = new FakeResolver();
  const n1 = nets.add('net1');
  nets.add('net2');
  const plan = await planNetworks(
    input({ NetworkMode: 'net1', Links: ['db:data'] }, {
      net2: { Aliases: ['two'] },
      [n1.id.slice(0, 12)]: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.65.1.9' }, MacAddress: '02:42:ac:11:00:09', DriverOpts: { k: 'v' } },
    }),
    nets,
  );
  assert.deepEqual(Object.keys(plan.endpoints), ['net1', 'net2']);
  assert.deepEqual(plan.endpoints.net1.Aliases, ['web']);
  assert.deepEqual(plan.endpoints.net1.IPAMConfig, { IPv4Address: '10.65.1.9' });
  assert.equal(plan.endpoints.net1.MacAddress, '02:42:ac:11:00:09');
  assert.deepEqual(plan.endpoints.net1.DriverOpts, { k: 'v' });
  assert.equal(plan.endpoints.net1.NetworkID, n1.id);
  // links on a user network are DNS aliases of the primary endpoint
  assert.deepEqual(plan.endpoints.net1.Links, ['db:data']);
  assert.deepEqual(plan.endpoints.net2.Aliases, ['two']);
});

test('an unknown network waits for the start, as dockerd does: the endpoint as named, no id', async () => {
  const plan = await planNetworks(input({ NetworkMode: 'nosuch' }, { other: { Aliases: ['x'] } }), new FakeResolver());
  assert.deepEqual(Object.keys(plan.endpoints), ['nosuch', 'other']);
  assert.equal(plan.endpoints.nosuch.NetworkID, '');
  assert.deepEqual(plan.endpoints.other.Aliases, ['x']);
  // anything else network-service answers is the create's answer
  const broken = { inspect: async () => { throw Object.assign(new Error('ambiguous'), { code: 3 }); } };
  await refused(planNetworks(input({ NetworkMode: 'ab' }), broken), 'ambiguous');
});

test("dockerd's refusals on the default bridge", async () => {
  await refused(planNetworks(input({}, { bridge: { Aliases: ['x'] } }), new FakeResolver()), 'network-scoped alias is supported only for containers in user defined networks');
  await refused(planNetworks(input({}, { bridge: { IPAMConfig: { IPv4Address: '172.17.0.9' } } }), new FakeResolver()), 'user specified IP address is supported on user defined networks only');
  await refused(planNetworks(input({ PortBindings: { 'x/tcp': [] } }), new FakeResolver()), 'invalid port specification: "x"');
  await refused(planNetworks(input({ Links: ['a:b:c'] }), new FakeResolver()), 'bad format for links: a:b:c');
});

test('--network container:X conflicts, in dockerd words', async () => {
  const r = new FakeResolver();
  const c = { NetworkMode: 'container:a' };
  const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
    [{}, { Hostname: 'h' }, 'conflicting options: hostname and the network mode'],
    [{ Links: ['b'] }, {}, "conflicting options: container type network can't be used with links. This would result in undefined behavior"],
    [{ Dns: ['1.1.1.1'] }, {}, 'conflicting options: dns and the network mode'],
    [{ ExtraHosts: ['x:1.2.3.4'] }, {}, 'conflicting options: custom host-to-IP mapping and the network mode'],
    [{}, { MacAddress: '02:42:ac:11:00:09' }, 'conflicting options: mac-address and the network mode'],
    [{ PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }, {}, 'conflicting options: port publishing and the container type network mode'],
    [{ PublishAllPorts: true }, {}, 'conflicting options: port publishing and the container type network mode'],
    [{}, { ExposedPorts: { '80/tcp': {} } }, 'conflicting options: port exposing and the container type network mode'],
  ];
  for (const [hc, config, message] of cases) await refused(planNetworks(input({ ...c, ...hc }, {}, config), r), message);
  await refused(planNetworks(input({ NetworkMode: 'container:' }), r), 'Invalid network mode: invalid container format container:<name|id>');
  const plan = await planNetworks(input(c, {}, {}), r);
  assert.deepEqual(plan.endpoints, {});
  assert.deepEqual(plan.settings.Networks, {});
});

test('--network host discards published ports with a warning; none and host join nothing else', async () => {
  const hc: Record<string, unknown> = { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } };
  const plan = await planNetworks({ config: {}, hostConfig: hc, endpointsConfig: {} }, new FakeResolver());
  assert.deepEqual(plan.warnings, ['Published ports are discarded when using host network mode']);
  assert.deepEqual(hc.PortBindings, { '80/tcp': [{ HostPort: '8080' }] }, 'kept in the record, as dockerd does; never published');
  assert.deepEqual(Object.keys(plan.endpoints), ['host']);
  await refused(planNetworks(input({ NetworkMode: 'host', Links: ['a'] }), new FakeResolver()), /^conflicting options: host type networking can't be used with links/);
  await refused(planNetworks(input({ NetworkMode: 'host' }, { host: { MacAddress: '02:42:ac:11:00:09' } }), new FakeResolver()), 'conflicting options: mac-address and the network mode');
  await refused(planNetworks(input({ NetworkMode: 'none' }, { bridge: {} }), new FakeResolver()), 'container cannot be connected to multiple networks with one of the networks in private (none) mode');
});
