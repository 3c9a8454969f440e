// The per-network and per-endpoint options through the real Docker CLI: --ip,
// --mac-address, --internal, ICC off, the MTU option, and the options Berth
// does not build refused rather than ignored. Subnets of 10.67.0.0/16 with a
// random third octet, so parallel runs differ.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;
const octet = 2 + Math.floor(Math.random() * 60) * 4;
const suffix = Math.random().toString(36).slice(2, 8);
const fixed = `no-fixed-${suffix}`;
const sealed = `no-sealed-${suffix}`;
const quiet = `no-quiet-${suffix}`;

before(async () => {
  berth = await startBerthWithBusybox();
  await ok(['network', 'create', '--subnet', `10.67.${octet}.0/24`, '-o', 'com.docker.network.driver.mtu=1400', fixed]);
  await ok(['network', 'create', '--internal', '--subnet', `10.67.${octet + 1}.0/24`, sealed]);
  await ok(['network', 'create', '--subnet', `10.67.${octet + 2}.0/24`, '-o', 'com.docker.network.bridge.enable_icc=false', quiet]);
});

after(async () => {
  if (berth) {
    const ids = (await berth.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
    if (ids.length > 0) await berth.docker(['rm', '-f', ...ids]);
    await berth.docker(['network', 'rm', fixed, sealed, quiet]);
  }
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

test('--ip and --mac-address give the container that address and MAC; a taken or outside address fails and leaves it created', async () => {
  const ip = `10.67.${octet}.77`;
  await ok(['run', '-d', '--name', 'fixed-a', '--network', fixed, '--ip', ip, '--mac-address', '02:42:0a:43:00:4d', 'busybox', 'sleep', '600']);
  const shown = await ok(['exec', 'fixed-a', 'ip', 'addr', 'show', 'eth0']);
  assert.match(shown, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
  assert.match(shown, /link\/ether 02:42:0a:43:00:4d/);
  assert.match(shown, /mtu 1400/, 'the network\'s MTU option reaches the container');
  assert.equal((await ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${fixed}").IPAddress}}`, 'fixed-a'])).trim(), ip);

  await ok(['create', '--name', 'fixed-b', '--network', fixed, '--ip', ip, 'busybox', 'sleep', '600']);
  assert.match(await fails(['start', 'fixed-b']), /Address already in use/);
  assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', 'fixed-b'])).trim(), 'created');
  assert.match(await fails(['run', '--rm', '--network', fixed, '--ip', '10.67.250.9', 'busybox', 'true']), /no configured subnet or ip-range contain the IP address 10\.67\.250\.9/);
  assert.match(await fails(['run', '--rm', '--ip', '10.67.250.9', 'busybox', 'true']), /user specified IP address is supported on user defined networks only/);
});

test('an --internal network has no way out: no default route, nothing forwarded by the DNS', async () => {
  const routes = await ok(['run', '--rm', '--network', sealed, 'busybox', 'ip', 'route']);
  assert.doesNotMatch(routes, /^default/m);
  assert.match(routes, new RegExp(`10\\.67\\.${octet + 1}\\.0/24`));
  const lookup = await berth.docker(['run', '--rm', '--network', sealed, 'busybox', 'nslookup', 'example.com']);
  assert.notEqual(lookup.code, 0);
  assert.match(lookup.stdout + lookup.stderr, /SERVFAIL|can't find/);
});

test('ICC off: containers of the network cannot reach each other, while on a network with ICC on they can', async () => {
  await ok(['run', '-d', '--name', 'quiet-a', '--network', quiet, 'busybox', 'sleep', '600']);
  const target = (await ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${quiet}").IPAddress}}`, 'quiet-a'])).trim();
  const blocked = await berth.docker(['run', '--rm', '--network', quiet, 'busybox', 'ping', '-c', '1', '-W', '1', target]);
  assert.notEqual(blocked.code, 0, 'ping across an ICC-off bridge must fail');
  const fixedA = `10.67.${octet}.77`;
  await ok(['run', '--rm', '--network', fixed, 'busybox', 'ping', '-c', '1', '-W', '2', fixedA]);
});

test('options Berth does not build are refused, never stored and ignored', async () => {
  assert.match(await fails(['network', 'create', '-o', 'com.docker.network.bridge.inhibit_ipv4=true', `no-x-${suffix}`]), /network option com\.docker\.network\.bridge\.inhibit_ipv4 is not supported by Berth yet/);
  assert.doesNotMatch(await ok(['network', 'ls', '--format', '{{.Name}}']), new RegExp(`no-x-${suffix}`));
  assert.match(await fails(['run', '--rm', '--network', fixed, '--link-local-ip', '169.254.9.9', 'busybox', 'true']), /link-local addresses are not supported by Berth yet/);
  await ok(['create', '--name', 'opt-c', 'busybox', 'sleep', '600']);
  await ok(['network', 'connect', '--driver-opt', 'com.docker.network.endpoint.sysctls=net.ipv4.conf.IFNAME.log_martians=1', fixed, 'opt-c']);
  assert.match(await fails(['start', 'opt-c']), /driver option com\.docker\.network\.endpoint\.sysctls is not supported by Berth yet/);
});
