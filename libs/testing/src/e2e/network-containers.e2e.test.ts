// Containers on user networks, published ports, connect/disconnect, shared
// namespaces and legacy links, through the real Docker CLI. The networks use
// subnets of 10.65.0.0/16 with a random third octet, so parallel runs differ.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails, freePort } from '../index';

let berth: Berth;
const octet = 1 + Math.floor(Math.random() * 120) * 2;
const suffix = Math.random().toString(36).slice(2, 8);
const net1 = `nc1-${suffix}`;
const net2 = `nc2-${suffix}`;

before(async () => {
  berth = await startBerthWithBusybox();
  await ok(['network', 'create', '--subnet', `10.65.${octet}.0/24`, net1]);
  await ok(['network', 'create', '--subnet', `10.65.${octet + 1}.0/24`, net2]);
});

after(async () => {
  if (berth) {
    const ids = (await berth.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
    if (ids.length > 0) await berth.docker(['rm', '-f', ...ids]);
    await berth.docker(['network', 'rm', net1, net2]);
  }
  await berth?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => dockerOk(berth, args, input);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const inspect = async (name: string): Promise<Record<string, any>> => JSON.parse(await ok(['inspect', name]))[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** busybox httpd serving `text` at / on `port`. */
const httpd = (text: string, port: number): string[] => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p ${port} -h /www`];

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function eventually<T>(what: string, fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}

describe('containers on a user network', () => {
  before(async () => {
    await ok(['run', '-d', '--name', 'aa', '--network', net1, 'busybox', 'sleep', '600']);
    await ok(['run', '-d', '--name', 'bb', '--network', net1, '--network-alias', 'alias-b', 'busybox', ...httpd('hello-b', 8080)]);
  });

  test('reach each other by name and by alias; inspect shows the endpoint', async () => {
    assert.match(await ok(['exec', 'aa', 'ping', '-c1', '-W2', 'bb']), /1 packets received/);
    assert.equal(await eventually('wget b', () => ok(['exec', 'aa', 'wget', '-qO-', 'http://bb:8080/'])), 'hello-b\n');
    assert.equal(await ok(['exec', 'aa', 'wget', '-qO-', 'http://alias-b:8080/']), 'hello-b\n');
    const b = await inspect('bb');
    const ep = b.NetworkSettings.Networks[net1];
    assert.ok(ep, 'Networks has the user network');
    assert.deepEqual(ep.Aliases.includes('alias-b'), true);
    assert.match(ep.IPAddress, new RegExp(`^10\\.65\\.${octet}\\.\\d+$`));
    assert.match(ep.NetworkID, /^[0-9a-f]{64}$/);
    assert.equal(b.NetworkSettings.IPAddress, '', 'the legacy top-level address is for the default bridge only');
    assert.match(await ok(['exec', 'bb', 'cat', '/etc/hosts']), new RegExp(`^${ep.IPAddress.replace(/\./g, '\\.')}\\t${b.Config.Hostname}$`, 'm'));
  });

  test('a container on another network can neither resolve nor reach them; unknown names fail fast', async () => {
    const bIp = (await inspect('bb')).NetworkSettings.Networks[net1].IPAddress as string;
    const res = await berth.docker(['run', '--rm', '--network', net2, 'busybox', 'sh', '-c', `nslookup bb; echo rc=$?; ping -c1 -W1 ${bIp} >/dev/null; echo ping=$?`]);
    assert.match(res.stdout, /rc=1/);
    assert.match(res.stdout, /ping=1/);
    const started = Date.now();
    const nx = await berth.docker(['exec', 'aa', 'nslookup', 'nosuch']);
    assert.notEqual(nx.code, 0);
    assert.ok(Date.now() - started < 2500, `nslookup of an unknown name took ${Date.now() - started} ms`);
  });

  test('ps: the network filter by name and id prefix', async () => {
    const id = (await inspect('aa')).NetworkSettings.Networks[net1].NetworkID as string;
    const names = async (f: string) => (await ok(['ps', '--filter', f, '--format', '{{.Names}}'])).trim().split('\n').filter(Boolean).sort();
    assert.deepEqual(await names(`network=${net1}`), ['aa', 'bb']);
    assert.deepEqual(await names(`network=${id.slice(0, 12)}`), ['aa', 'bb']);
    assert.deepEqual(await names(`network=${net2}`), []);
  });

  test('connect gives a running container an interface at once; disconnect takes it away', async () => {
    await ok(['network', 'connect', net2, 'aa']);
    const addr = await ok(['exec', 'aa', 'ip', '-o', '-4', 'addr']);
    assert.match(addr, new RegExp(`eth1\\s+inet 10\\.65\\.${octet + 1}\\.`));
    const a = await inspect('aa');
    assert.deepEqual(Object.keys(a.NetworkSettings.Networks).sort(), [net1, net2].sort());
    assert.match(await fails(['network', 'connect', net2, 'aa']), new RegExp(`endpoint with name aa already exists in network ${net2}`));
    await ok(['network', 'disconnect', net2, 'aa']);
    assert.doesNotMatch(await ok(['exec', 'aa', 'ip', '-o', '-4', 'addr']), /eth1/);
    assert.deepEqual(Object.keys((await inspect('aa')).NetworkSettings.Networks), [net1]);
    assert.match(await fails(['network', 'disconnect', net2, 'aa']), /is not connected to (the )?network/);
  });

  test('connect on a created container is applied at its start', async () => {
    await ok(['create', '--name', 'later', '--network', net1, 'busybox', 'sleep', '600']);
    await ok(['network', 'connect', '--alias', 'later-two', net2, 'later']);
    const created = await inspect('later');
    assert.deepEqual(Object.keys(created.NetworkSettings.Networks).sort(), [net1, net2].sort());
    assert.equal(created.NetworkSettings.Networks[net2].IPAddress, '');
    await ok(['start', 'later']);
    assert.match(await ok(['exec', 'later', 'ip', '-o', '-4', 'addr']), /eth1/);
    await ok(['rm', '-f', 'later']);
  });

  test('--network container:aa shares its interfaces; it must run', async () => {
    const mine = await ok(['exec', 'aa', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    const theirs = await ok(['run', '--rm', '--network', 'container:aa', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.equal(theirs.split(/\s+/)[3], mine.split(/\s+/)[3]);
    await ok(['run', '-d', '--name', 'side', '--network', 'container:aa', 'busybox', 'sleep', '600']);
    const side = await inspect('side');
    assert.deepEqual(side.NetworkSettings.Networks, {});
    assert.equal((await ok(['exec', 'side', 'hostname'])).trim(), (await ok(['exec', 'aa', 'hostname'])).trim());
    await ok(['rm', '-f', 'side']);
    await ok(['create', '--name', 'stopped', 'busybox', 'true']);
    assert.match(await fails(['run', '--rm', '--network', 'container:stopped', 'busybox', 'true']), /cannot join network of a non running container: [0-9a-f]{64}/);
    assert.match(await fails(['run', '--rm', '--network', 'container:aa', '-p', '80', 'busybox', 'true']), /conflicting options: port publishing and the container type network mode/);
    assert.match(await fails(['run', '--rm', '--network', 'container:aa', '--dns', '1.1.1.1', 'busybox', 'true']), /conflicting options: dns and the network mode/);
    // an unknown one: the start's refusal, not the create's (which would make the CLI pull)
    const unknown = await fails(['run', '--rm', '--network', 'container:nosuch', 'busybox', 'true']);
    assert.match(unknown, /No such container: nosuch/);
    assert.doesNotMatch(unknown, /Unable to find image/);
    await ok(['rm', 'stopped']);
  });

  test("aliases and --ip on the default bridge are refused in dockerd's words (the API: the CLI refuses them itself)", async () => {
    const create = (endpoint: object, hostConfig: object = {}) =>
      berth.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: { bridge: endpoint } } });
    const alias = await create({ Aliases: ['x'] });
    assert.equal(alias.status, 400);
    assert.equal(alias.json<{ message: string }>().message, 'network-scoped alias is supported only for containers in user defined networks');
    const ip = await create({ IPAMConfig: { IPv4Address: '172.17.9.9' } });
    assert.equal(ip.status, 400);
    assert.equal(ip.json<{ message: string }>().message, 'user specified IP address is supported on user defined networks only');
    const ports = await create({}, { PortBindings: { 'abc/tcp': [] } });
    assert.equal(ports.status, 400);
    assert.equal(ports.json<{ message: string }>().message, 'invalid port specification: "abc"');
    // an unknown network is no refusal at create (the CLI would read a 404 as a missing image): the start fails
    const none = await berth.request('POST', '/containers/create?name=nonet', { Image: 'busybox', HostConfig: { NetworkMode: 'nosuch' } });
    assert.equal(none.status, 201);
    const start = await berth.request('POST', '/containers/nonet/start');
    assert.equal(start.status, 404);
    assert.equal(start.json<{ message: string }>().message, 'network nosuch not found');
    assert.equal((await inspect('nonet')).State.Status, 'created');
    await ok(['rm', 'nonet']);
  });
});

describe('published ports', () => {
  test('-p 127.0.0.1:PORT:80 serves the host; ps and port show it; a second claim fails and is left created', async () => {
    const port = await freePort();
    await ok(['run', '-d', '--name', 'pub', '-p', `127.0.0.1:${port}:80`, 'busybox', ...httpd('hello-pub', 80)]);
    const res = await eventually('GET published port', () => get(`http://127.0.0.1:${port}/`));
    assert.equal(res.body, 'hello-pub\n');
    assert.equal((await ok(['port', 'pub', '80'])).trim(), `127.0.0.1:${port}`);
    assert.equal((await ok(['ps', '--filter', 'name=pub', '--format', '{{.Ports}}'])).trim(), `127.0.0.1:${port}->80/tcp`);
    const c = await inspect('pub');
    assert.deepEqual(c.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    assert.deepEqual(c.NetworkSettings.Ports['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(port) }]);
    assert.deepEqual(c.Config.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual((await ok(['ps', '--filter', 'publish=80', '--format', '{{.Names}}'])).trim().split('\n'), ['pub']);
    assert.deepEqual((await ok(['ps', '--filter', 'expose=70-90/tcp', '--format', '{{.Names}}'])).trim().split('\n'), ['pub']);
    assert.equal((await ok(['ps', '--filter', 'publish=81', '--format', '{{.Names}}'])).trim(), '');

    const err = await fails(['run', '-d', '--name', 'pub2', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '600']);
    assert.match(err, /port is already allocated/);
    assert.equal((await inspect('pub2')).State.Status, 'created');
    assert.equal((await get(`http://127.0.0.1:${port}/`)).body, 'hello-pub\n', 'the first container still serves');
    await ok(['rm', '-f', 'pub', 'pub2']);
  });

  test('-P publishes every exposed port on a free port; docker port names it; stop releases it', async () => {
    await ok(['run', '-d', '--name', 'pall', '-P', '--expose', '8080', 'busybox', ...httpd('hello-all', 8080)]);
    const out = (await ok(['port', 'pall', '8080/tcp'])).trim();
    const m = /^0\.0\.0\.0:(\d+)$/m.exec(out);
    assert.ok(m, `docker port: ${out}`);
    const res = await eventually('GET -P port', () => get(`http://127.0.0.1:${m![1]}/`));
    assert.equal(res.body, 'hello-all\n');
    assert.match((await ok(['ps', '--filter', 'name=pall', '--format', '{{.Ports}}'])).trim(), new RegExp(`0\\.0\\.0\\.0:${m![1]}->8080/tcp`));
    await ok(['stop', '-t', '0', 'pall']);
    assert.deepEqual((await inspect('pall')).NetworkSettings.Ports, {});
    await ok(['rm', 'pall']);
  });

  test('--network host discards -p with a warning', async () => {
    const res = await berth.docker(['create', '--name', 'hostp', '--network', 'host', '-p', '80:80', 'busybox', 'true']);
    assert.equal(res.code, 0);
    assert.match(res.stderr, /Published ports are discarded when using host network mode/);
    await ok(['rm', 'hostp']);
  });
});

describe('legacy links on the default bridge', () => {
  test('/etc/hosts and the environment of the link; inspect shows the link as dockerd does', async () => {
    await ok(['run', '-d', '--name', 'db', '--expose', '5432', '-e', 'POSTGRES_DB=app', 'busybox', 'sleep', '600']);
    const db = await inspect('db');
    const ip = db.NetworkSettings.IPAddress as string;
    await ok(['run', '-d', '--name', 'web', '--link', 'db:data', 'busybox', 'sleep', '600']);
    const hosts = await ok(['exec', 'web', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\tdata ${db.Config.Hostname} db$`, 'm'));
    const env = await ok(['exec', 'web', 'env']);
    assert.match(env, /^DATA_NAME=\/web\/data$/m);
    assert.match(env, new RegExp(`^DATA_PORT=tcp://${ip.replace(/\./g, '\\.')}:5432$`, 'm'));
    assert.match(env, new RegExp(`^DATA_PORT_5432_TCP_ADDR=${ip.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env, /^DATA_ENV_POSTGRES_DB=app$/m);
    assert.deepEqual((await inspect('web')).HostConfig.Links, ['/db:/web/data']);
    assert.match(await ok(['exec', 'web', 'ping', '-c1', '-W2', 'data']), /1 packets received/);
    await ok(['stop', '-t', '0', 'db']);
    await ok(['stop', '-t', '0', 'web']);
    assert.match(await fails(['start', 'web']), /Cannot link to a non running container: \/db AS \/web\/data/);
    assert.match(await fails(['run', '--rm', '--link', 'nosuch:x', 'busybox', 'true']), /could not get container for nosuch/);
    await ok(['rm', '-f', 'web', 'db']);
  });
});
