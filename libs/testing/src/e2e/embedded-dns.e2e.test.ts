// The embedded DNS server of user networks, asked from inside containers with
// busybox nslookup through the real Docker CLI: container names and aliases
// (several answers for a shared one), PTR, NXDOMAIN at once for unknown names,
// isolation between networks, answers that follow connect/disconnect/stop,
// and forwarding to a --dns resolver the test runs itself (on loopback: the
// server forwards from the host's namespace). Subnets of 10.62.0.0/16 with a
// random third octet, so parallel runs differ.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { Berth, startBerthWithBusybox, dockerOk } from '../index';

let berth: Berth;
const octet = 2 + Math.floor(Math.random() * 100) * 2;
const suffix = Math.random().toString(36).slice(2, 8);
const net1 = `dns1-${suffix}`;
const net2 = `dns2-${suffix}`;
const UPSTREAM = `127.0.0.${10 + Math.floor(Math.random() * 200)}`;
let upstream: dgram.Socket | undefined;
let upstreamQueries = 0;

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const ipOf = async (name: string, net: string): Promise<string> =>
  (await ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name])).trim();

/** The addresses busybox nslookup printed for the name (not the server's own "Address:" line, which has a port). */
function answers(out: string): string[] {
  const after = out.split(/^Name:/m).slice(1).join('\n');
  return [...after.matchAll(/^Address:\s*([0-9.]+)\s*$/gm)].map((m) => m[1]).sort();
}

/** A minimal resolver: example.test A 192.0.2.1 (no other types), NXDOMAIN for the rest. */
function fakeUpstream(packet: Buffer): Buffer | undefined {
  if (packet.length < 17) return undefined;
  let pos = 12;
  const labels: string[] = [];
  while (pos < packet.length && packet[pos] !== 0) {
    labels.push(packet.toString('latin1', pos + 1, pos + 1 + packet[pos]));
    pos += packet[pos] + 1;
  }
  const qEnd = pos + 5;
  const type = packet.readUInt16BE(pos + 1);
  const exists = labels.join('.').toLowerCase() === 'example.test';
  const known = exists && type === 1;
  const head = Buffer.from(packet.subarray(0, qEnd));
  head.writeUInt16BE(0x8180 | (exists ? 0 : 3), 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(known ? 1 : 0, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  if (!known) return head;
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
  return Buffer.concat([head, answer]);
}

before(async () => {
  berth = await startBerthWithBusybox();
  await ok(['network', 'create', '--subnet', `10.62.${octet}.0/24`, net1]);
  await ok(['network', 'create', '--subnet', `10.62.${octet + 1}.0/24`, net2]);
  for (const [name, extra] of [['web1', ['--network-alias', 'web']], ['web2', ['--network-alias', 'web']], ['client', []]] as const) {
    await ok(['run', '-d', '--name', `${name}-${suffix}`, '--network', net1, ...extra, 'busybox', 'sleep', '600']);
  }
  await ok(['run', '-d', '--name', `other-${suffix}`, '--network', net2, 'busybox', 'sleep', '600']);
});

after(async () => {
  upstream?.close();
  if (berth) {
    const ids = (await berth.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
    if (ids.length > 0) await berth.docker(['rm', '-f', ...ids]);
    await berth.docker(['network', 'rm', net1, net2]);
  }
  await berth?.stop();
});

const exec = (container: string, ...args: string[]) => berth.docker(['exec', `${container}-${suffix}`, ...args]);

describe('embedded DNS', () => {
  test('a container name and a shared alias resolve from a container on the same network', async () => {
    const web1 = await ipOf(`web1-${suffix}`, net1);
    const web2 = await ipOf(`web2-${suffix}`, net1);
    const one = await exec('client', 'nslookup', `web1-${suffix}`);
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.deepEqual(answers(one.stdout), [web1]);
    const both = await exec('client', 'nslookup', 'web');
    assert.equal(both.code, 0, both.stdout + both.stderr);
    assert.deepEqual(answers(both.stdout), [web1, web2].sort());
    // name.network too, as dockerd answers it
    assert.deepEqual(answers((await exec('client', 'nslookup', `web2-${suffix}.${net1}`)).stdout), [web2]);
  });

  test('PTR of a container address names it', async () => {
    const web1 = await ipOf(`web1-${suffix}`, net1);
    const res = await exec('client', 'nslookup', web1);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, new RegExp(`name = web1-${suffix}\\.${net1}`));
  });

  test('an unknown name fails with NXDOMAIN within a second', async () => {
    const baseline = Date.now();
    await exec('client', 'true');
    const execCost = Date.now() - baseline;
    const started = Date.now();
    const res = await exec('client', 'nslookup', 'nosuchcontainer');
    const took = Date.now() - started - execCost;
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /NXDOMAIN/);
    assert.ok(took < 1000, `nslookup took ${took} ms beyond the exec itself`);
  });

  test('a container on another network cannot resolve them', async () => {
    const res = await exec('other', 'nslookup', `web1-${suffix}`);
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /NXDOMAIN/);
    assert.notEqual((await exec('other', 'nslookup', 'web')).code, 0);
  });

  test('answers follow disconnect, connect and stop', async () => {
    const web1 = await ipOf(`web1-${suffix}`, net1);
    await ok(['network', 'disconnect', net1, `web2-${suffix}`]);
    const afterDisconnect = await exec('client', 'nslookup', 'web');
    assert.deepEqual(answers(afterDisconnect.stdout), [web1], afterDisconnect.stdout + afterDisconnect.stderr);
    await ok(['network', 'connect', '--alias', 'web', net1, `web2-${suffix}`]);
    const web2 = await ipOf(`web2-${suffix}`, net1);
    assert.deepEqual(answers((await exec('client', 'nslookup', 'web')).stdout), [web1, web2].sort());
    await ok(['stop', '-t', '0', `web2-${suffix}`]);
    assert.deepEqual(answers((await exec('client', 'nslookup', 'web')).stdout), [web1]);
    assert.notEqual((await exec('client', 'nslookup', `web2-${suffix}`)).code, 0);
  });

  test("other names go to the container's --dns resolver (one the test runs)", async (t) => {
    upstream = dgram.createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      upstream!.once('error', () => resolve(false));
      upstream!.bind(53, UPSTREAM, () => resolve(true));
    });
    if (!bound) {
      t.skip(`port 53 on ${UPSTREAM} is taken`);
      return;
    }
    upstream.on('message', (msg, rinfo) => {
      upstreamQueries++;
      const reply = fakeUpstream(msg);
      if (reply) upstream!.send(reply, rinfo.port, rinfo.address);
    });
    await ok(['run', '-d', '--name', `fwd-${suffix}`, '--network', net1, '--dns', UPSTREAM, 'busybox', 'sleep', '600']);
    const res = await exec('fwd', 'nslookup', 'example.test');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.deepEqual(answers(res.stdout), ['192.0.2.1']);
    assert.ok(upstreamQueries > 0);
    const nx = await exec('fwd', 'nslookup', 'nosuch.example.test');
    assert.match(nx.stdout + nx.stderr, /NXDOMAIN/);
    // Container names are still answered by the embedded server itself.
    assert.equal(answers((await exec('fwd', 'nslookup', `web1-${suffix}`)).stdout).length, 1);
  });
});
