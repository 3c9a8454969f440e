import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '@berth/logging';
import type { EventInput } from '@berth/events';
import { ContainerManager, rfc3339Nano } from './container-manager';
import { ImageLeaseKeeper } from '../images/image-lease-keeper';
import { FakeImageService } from '../images/lease-test-helpers';
import { lifecycleRig } from '../lifecycle/lifecycle-fakes';
import { inspectMessage, summaryMessage } from '../grpc/container-message';


function setup() {
  const images = new FakeImageService();
  const logger = createLogger('test', 'error');
  let keeper: ImageLeaseKeeper | undefined;
  const rig = lifecycleRig({ removed: (r) => keeper?.lifecycleObserver().removed?.(r) });
  after(() => rig.close());
  const { store } = rig;
  keeper = new ImageLeaseKeeper(images.client, store, logger);
  const events: EventInput[] = [];
  const linked: string[] = [];
  const volumes = { link: async (id: string) => { linked.push(id); return { mounts: [], points: [] }; } };
  const m = new ContainerManager(store, keeper, { publish: async (e) => { events.push(e); } }, logger, volumes, rig.paths, rig.lifecycle, rig.networks);
  return { m, events, store, images, rig, linked };
}

const base = { hostConfig: {}, networkingConfig: {}, image: 'busybox', platform: '' };
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('ContainerManager', () => {
  test('create, resolve by name, id and prefix, rename, remove', async () => {
    const { m, events, images, rig } = setup();
    const { id } = await m.create({ ...base, name: 'web', config: { Labels: { k: 'v' } } });
    assert.equal(m.inspect(id).Image, images.imageId);
    assert.deepEqual(m.inspect(id).LayerPaths, ['/layers/top', '/layers/bottom'], 'overlay order: topmost first');
    assert.deepEqual(m.inspect(id).Config.Cmd, ['sh'], 'the image config is merged');
    assert.deepEqual([...images.leases.keys()], [`container/${id}`]);
    assert.ok(fs.existsSync(path.join(rig.paths.upper(id), '.dockerenv')), 'the init layer is written at create');
    assert.equal(m.inspect('web').Id, id);
    assert.equal(m.inspect('/web').Id, id);
    assert.equal(m.inspect(id.slice(0, 5)).Id, id);
    assert.deepEqual(events[0].Actor.Attributes, { k: 'v', image: 'busybox', name: 'web' });
    await assert.rejects(m.create({ ...base, name: 'web', config: {} }), { message: `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.` });
    assert.equal(images.leases.size, 1, 'the failed create gave its lease back');
    await assert.rejects(m.create({ ...base, image: 'nothere', name: 'other', config: {} }), /No such image: nothere/);
    m.rename('web', 'api');
    assert.equal(m.inspect('api').Name, 'api');
    assert.equal(events.at(-1)?.Actor.Attributes.oldName, '/web');
    await m.remove('api', false, false);
    assert.throws(() => m.inspect('api'), { message: 'No such container: api' });
    await settle();
    assert.equal(images.leases.size, 0, 'remove released the lease');
  });

  test('generated names, list filters and prune', async () => {
    const { m } = setup();
    const a = await m.create({ ...base, name: '', config: { Labels: { tier: 'x' } } });
    const b = await m.create({ ...base, name: 'two', config: {} });
    assert.match(m.inspect(a.id).Name, /^[a-z]+_[a-z]+$/);
    assert.equal(m.list(false, 0, []).length, 0);
    assert.deepEqual(m.list(true, 0, []).map((r) => r.Id), [b.id, a.id]);
    assert.deepEqual(m.list(true, 0, [{ key: 'label', values: ['tier=x'] }]).map((r) => r.Id), [a.id]);
    assert.deepEqual(m.list(true, 0, [{ key: 'name', values: ['two'] }]).map((r) => r.Id), [b.id]);
    assert.deepEqual(m.list(false, 0, [{ key: 'status', values: ['created'] }]).length, 2);
    assert.deepEqual(m.list(true, 0, [{ key: 'before', values: ['two'] }]).map((r) => r.Id), [a.id]);
    assert.deepEqual(m.list(true, 0, [{ key: 'ancestor', values: ['busybox:latest'] }]).length, 2);
    assert.deepEqual(m.summary(), { containers: 2, running: 0, paused: 0, stopped: 2 });
    assert.deepEqual((await m.prune([])).deleted.sort(), [a.id, b.id].sort());
    assert.equal(m.summary().containers, 0);
  });

  test('create with networks, ports and links: stored endpoints, exposed ports, inspect views', async () => {
    const { m, rig } = setup();
    const net1 = rig.networks.add('net1');
    const { id, warnings } = await m.create({
      ...base, name: 'web', config: {},
      hostConfig: { NetworkMode: 'net1', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } },
      networkingConfig: { EndpointsConfig: { net1: { Aliases: ['alias-web'] } } },
    });
    assert.deepEqual(warnings, []);
    const r = m.inspect(id);
    assert.deepEqual(Object.keys(r.NetworkingConfig.EndpointsConfig ?? {}), ['net1']);
    assert.equal((r.NetworkSettings?.Networks as Record<string, { NetworkID: string }>).net1.NetworkID, net1.id);
    assert.deepEqual(r.Config.ExposedPorts, { '80/tcp': {} });
    const summary = summaryMessage(r);
    assert.equal(summary.portsJson, '[]', 'a created container publishes nothing yet');
    const unknown = await m.create({ ...base, name: 'xx', config: {}, hostConfig: { NetworkMode: 'nosuch' } });
    assert.deepEqual(Object.keys(m.inspect(unknown.id).NetworkSettings?.Networks ?? {}), ['nosuch'], 'refused at start, as dockerd does');
    await assert.rejects(m.create({ ...base, name: 'yy', config: {}, hostConfig: { Links: ['nosuch:db'] } }), { message: 'could not get container for nosuch: No such container: nosuch' });
    assert.throws(() => m.inspect('yy'));
    const linked = await m.create({ ...base, name: 'client', config: {}, hostConfig: { Links: ['web:db'] } });
    assert.deepEqual(JSON.parse(inspectMessage(m.inspect(linked.id)).hostConfigJson).Links, ['/web:/client/db']);
    const host = await m.create({ ...base, name: 'hh', config: {}, hostConfig: { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '1' }] } } });
    assert.deepEqual(host.warnings, ['Published ports are discarded when using host network mode']);
    const shared = await m.create({ ...base, name: 'ss', config: {}, hostConfig: { NetworkMode: 'container:web' } });
    assert.equal(m.inspect(shared.id).Config.Hostname, shared.id.slice(0, 12), 'its own until it starts, as dockerd shows it');
    assert.equal(m.inspect(shared.id).HostConfig.NetworkMode, `container:${id}`, 'the shared namespace named by id');
    const later = await m.create({ ...base, name: 'tt', config: {}, hostConfig: { NetworkMode: 'container:nosuch' } });
    assert.equal(m.inspect(later.id).HostConfig.NetworkMode, 'container:nosuch', 'an unknown one fails the start');
  });

  test('the summary Ports from a running container\'s NetworkSettings.Ports', () => {
    const { m, rig } = setup();
    const id = rig.add({ NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null } } });
    assert.deepEqual(JSON.parse(summaryMessage(m.inspect(id)).portsJson), [
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { PrivatePort: 443, Type: 'tcp' },
    ]);
  });

  test('RFC3339Nano trims trailing zeros', () => {
    assert.equal(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 120), 500), '2024-01-02T03:04:05.1200005Z');
    assert.equal(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 0), 0), '2024-01-02T03:04:05Z');
  });
});
