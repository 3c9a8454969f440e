import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Filters } from '@berth/engine-api';
import { checkListFilters, listPredicate } from './container-filters';
import type { ContainerRecord } from './container-record';

function rec(fields: Partial<ContainerRecord>): ContainerRecord {
  return {
    Id: 'a'.repeat(64), Name: 'a', Created: '', Path: 'sh', Args: [], ImageName: 'busybox', Image: '', Platform: 'linux',
    State: { Status: 'running' }, Config: {}, HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: {}, ...fields,
  } as ContainerRecord;
}

function matches(filters: Record<string, string[]>, r: ContainerRecord): boolean {
  const f = Filters.fromList(Object.entries(filters).map(([key, values]) => ({ key, values })));
  checkListFilters(f);
  return listPredicate({ all: true, limit: 0, filters: f }, {})({ seq: 1, record: r });
}

test('publish= matches the published ports, expose= the exposed ones: a port, with protocol, a range', () => {
  const web = rec({
    HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostPort: '8080' }], '53/udp': [] } } as ContainerRecord['HostConfig'],
    Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} } },
  });
  assert.ok(matches({ publish: ['80'] }, web));
  assert.ok(matches({ publish: ['80/tcp'] }, web));
  assert.ok(matches({ publish: ['53/udp'] }, web));
  assert.ok(!matches({ publish: ['53'] }, web));
  assert.ok(!matches({ publish: ['9000'] }, web));
  assert.ok(matches({ publish: ['70-90/tcp'] }, web));
  assert.ok(matches({ expose: ['9000'] }, web));
  assert.ok(matches({ expose: ['8999-9001'] }, web));
  assert.ok(!matches({ expose: ['81'] }, web));
  assert.throws(() => matches({ publish: ['1.2.3.4:80'] }, web), /filter for 'publish' should not contain ':'/);
});

test('network= matches a network name or a prefix of its id', () => {
  const r = rec({ NetworkSettings: { Networks: { net1: { NetworkID: 'abcdef0123' }, bridge: { NetworkID: '' } } } as never });
  assert.ok(matches({ network: ['net1'] }, r));
  assert.ok(matches({ network: ['abcd'] }, r));
  assert.ok(matches({ network: ['bridge'] }, r));
  assert.ok(!matches({ network: ['net2'] }, r));
  assert.ok(!matches({ network: ['net'] }, r));
});
