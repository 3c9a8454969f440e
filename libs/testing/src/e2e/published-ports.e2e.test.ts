// Published ports through the real Docker CLI, reached the three ways a host
// reaches them: 127.0.0.1 (kernel DNAT with route_localnet), ::1 (the socket
// network-service holds, which proxies) and, from a network namespace this
// test makes (a veth pair to the host, 10.63.2xx.0/24), the host-side address
// of that veth (DNAT in PREROUTING). Host ports 43000-43999.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;
const suffix = crypto.randomBytes(3).toString('hex');
const clientNs = `bpe${suffix}`;
const hostVeth = `bpe${suffix}`;
const clientNet = `10.63.${200 + crypto.randomInt(0, 50)}`;
const hostSide = `${clientNet}.1`;
const ipv6 = fs.existsSync('/proc/net/if_inet6') && fs.readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';
const foreign: net.Server[] = [];

const sh = (...args: string[]) => execFileSync(args[0], args.slice(1), { encoding: 'utf8' });

before(async () => {
  berth = await startBerthWithBusybox();
  sh('ip', 'netns', 'add', clientNs);
  sh('ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs);
  sh('ip', 'addr', 'add', `${hostSide}/24`, 'dev', hostVeth);
  sh('ip', 'link', 'set', hostVeth, 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'addr', 'add', `${clientNet}.2/24`, 'dev', 'eth0');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'link', 'set', 'lo', 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'link', 'set', 'eth0', 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'route', 'add', 'default', 'via', hostSide);
});

after(async () => {
  for (const s of foreign) s.close();
  await berth?.stop();
  spawnSync('ip', ['link', 'del', hostVeth], { stdio: 'ignore' });
  spawnSync('ip', ['netns', 'del', clientNs], { stdio: 'ignore' });
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const tag = () => berth.env.BERTH_BRIDGE_NAME;

/** A host port of the test's range nobody listens on. */
async function freeTestPort(): Promise<number> {
  for (;;) {
    const port = 43000 + crypto.randomInt(0, 1000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** GET / from the host: the body, or the error code. */
function getFromHost(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 3000 }, () => s.write(`GET / HTTP/1.0\r\nHost: x\r\n\r\n`));
    let data = '';
    s.on('data', (c) => { data += c; });
    s.on('end', () => resolve(data.split('\r\n\r\n').slice(1).join('\r\n\r\n')));
    s.on('timeout', () => { s.destroy(); resolve('ETIMEDOUT'); });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

/** GET / from the client namespace (node: the host's busybox wget crashes there): the body, or the error code. */
function getFromNamespace(host: string, port: number): string {
  const script = `require('http').get({host:${JSON.stringify(host)},port:${port},path:'/',timeout:3000},r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>process.stdout.write(d))})`
    + `.on('timeout',function(){console.log('ETIMEDOUT');this.destroy()}).on('error',e=>console.log(e.code))`;
  return spawnSync('ip', ['netns', 'exec', clientNs, process.execPath, '-e', script], { encoding: 'utf8' }).stdout;
}

async function eventually(what: string, probe: () => Promise<string>, want: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    last = await probe();
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: ${JSON.stringify(last)}`);
}

const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

describe('published ports from the host and from a network namespace', () => {
  test('127.0.0.1 and all-address bindings: loopback, ::1 and a namespace reach the container; docker port lists each address', async () => {
    const local = await freeTestPort();
    const all = await freeTestPort();
    await ok(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${local}:80`, '-p', `${all}:80`, 'busybox', ...httpd('hello-ports')]);
    await eventually('GET 127.0.0.1 binding', () => getFromHost('127.0.0.1', local), 'hello-ports\n');
    assert.equal(await getFromHost('127.0.0.1', all), 'hello-ports\n');
    if (ipv6) assert.equal(await getFromHost('::1', all), 'hello-ports\n');
    assert.equal(getFromNamespace(hostSide, all), 'hello-ports\n');
    assert.match(getFromNamespace(hostSide, local), /ECONNREFUSED|ETIMEDOUT/, 'a 127.0.0.1 binding is not reachable from outside');
    // The container itself, through its gateway (the host) and the published port.
    const gateway = JSON.parse(await ok(['inspect', 'web']))[0].NetworkSettings.Gateway as string;
    assert.equal(await ok(['exec', 'web', 'wget', '-qO-', `http://${gateway}:${all}/`]), 'hello-ports\n');
    const lines = (await ok(['port', 'web'])).trim().split('\n').sort();
    assert.deepEqual(lines, [`80/tcp -> 0.0.0.0:${all}`, `80/tcp -> 127.0.0.1:${local}`, ...(ipv6 ? [`80/tcp -> [::]:${all}`] : [])].sort());

    await ok(['rm', '-f', 'web']);
    assert.match(await getFromHost('127.0.0.1', all), /ECONNREFUSED/);
    assert.match(getFromNamespace(hostSide, all), /ECONNREFUSED|ETIMEDOUT/);
    const rules = ['nat', 'filter'].flatMap((t) => sh('iptables', '-w', '-t', t, '-S').split('\n')).filter((l) => /BERTH-(DNAT|PMASQ|PORTS|LOIN)-/.test(l) && l.includes(tag()));
    assert.deepEqual(rules, [], 'the port chains went with the last published port');
  });

  test('a host port another program holds: dockerd\'s bind error, the container left created and nothing published', async () => {
    const port = await freeTestPort();
    const s = net.createServer();
    foreign.push(s);
    await new Promise<void>((resolve) => s.listen(port, '0.0.0.0', resolve));
    const err = await fails(['run', '-d', '--name', 'blocked', '-p', `${port}:80`, 'busybox', 'sleep', '600']);
    assert.match(err, new RegExp(`driver failed programming external connectivity on endpoint blocked \\([0-9a-f]{64}\\): Error starting userland proxy: listen tcp4 0\\.0\\.0\\.0:${port}: bind: address already in use`));
    assert.equal(JSON.parse(await ok(['inspect', 'blocked']))[0].State.Status, 'created');
    s.close();
    await ok(['rm', 'blocked']);
  });

  test('a port range takes its first free port; a container port range maps 1:1', async () => {
    const base = 43000 + crypto.randomInt(0, 990);
    await ok(['run', '-d', '--name', 'ranged', '-p', `127.0.0.1:${base}-${base + 5}:80`, '-p', `127.0.0.1:${base + 7}-${base + 8}:7000-7001`, 'busybox', ...httpd('hello-range')]);
    const ports = JSON.parse(await ok(['inspect', 'ranged']))[0].NetworkSettings.Ports;
    assert.equal(ports['7000/tcp'][0].HostPort, String(base + 7));
    assert.equal(ports['7001/tcp'][0].HostPort, String(base + 8));
    const chosen = Number(ports['80/tcp'][0].HostPort);
    assert.ok(chosen >= base && chosen <= base + 5, `chosen ${chosen}`);
    await eventually('GET ranged', () => getFromHost('127.0.0.1', chosen), 'hello-range\n');
    await ok(['rm', '-f', 'ranged']);
  });
});
