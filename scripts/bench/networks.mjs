#!/usr/bin/env node
// Network benchmarks of a private Berth (started on temp paths, as
// scripts/bench/containers.mjs does) and, where `dockerd` is installed, of a
// reference dockerd started here on its own socket, data root, exec root and
// address pool (`--bridge none --iptables`, userland proxy on as dockerd ships),
// each with the same busybox image. Measured, each engine alike:
//   (a) container-to-container TCP throughput over a user network;
//   (b) the floor: the same over a bare veth pair between two namespaces made here;
//   (c) host-to-container through a port published on 127.0.0.1;
//   (d) from a namespace made here (a veth to the host) through DNAT to a published port;
//   (e) what `--network NET` adds to `docker run --rm busybox true` over `--network none` (medians);
//   (f) DNS lookups per second of a container name from inside a container.
// TCP is moved by tcpblast and lookups asked by dnsloop (scripts/bench/net/*.c,
// built static here with gcc and bind-mounted into the containers): busybox nc
// moves 1 KiB per syscall and measures itself, and a shell loop of nslookup
// measures fork and exec.
// Everything made (namespaces, veths, containers, networks, dockerd and its
// iptables chains, Berth) is removed at the end, also on failure or Ctrl-C.
// Addresses: three free /24s of 10.66.228-239 and the pool 10.66.240.0/21; host ports 45000-45999.
// Env: BENCH_MIB (per transfer, default 1024), BENCH_RUNS (transfers per path,
// default 5), BENCH_STARTS (docker runs per mode, default 10), BENCH_LOOKUPS
// (per round, default 2000), BENCH_DOCKERD=0 (Berth only), BENCH_BERTH=0 (dockerd only).
// Usage: node scripts/bench/networks.mjs
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { startBerth, fixturePath } = require(path.join(repo, 'libs/testing/dist/index.js'));
const DOCKER = process.env.BERTH_TEST_DOCKER || '/usr/local/bin/docker';
const MIB = Number(process.env.BENCH_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2000);
const tag = crypto.randomBytes(2).toString('hex');

/**
 * Three /24s of 10.66.228-239 that no route or address on the host uses now
 * (another run of this script, a test's network): the floor pair and the client
 * namespace share the first, Berth's and dockerd's user networks get one each.
 */
function freeOctets(n) {
  const out = (args) => spawnSync('ip', args, { encoding: 'utf8' }).stdout ?? '';
  const used = `${out(['-4', 'route', 'show', 'table', 'all'])}\n${out(['-4', 'addr'])}`;
  const free = [];
  for (let x = 228; x <= 239 && free.length < n; x++) if (!used.includes(`10.66.${x}.`)) free.push(x);
  if (free.length < n) throw new Error('no free /24 left in 10.66.228-239 (is another run going?)');
  return free;
}
const [pairs, berthNet, dockerdNet] = freeOctets(3);
const FLOOR = { a: `bnA${tag}`, b: `bnB${tag}`, va: `bva${tag}`, vb: `bvb${tag}`, ipA: `10.66.${pairs}.1`, ipB: `10.66.${pairs}.2` };
const CLIENT = { ns: `bnC${tag}`, vc: `bvc${tag}`, vh: `bvh${tag}`, hostIp: `10.66.${pairs}.5`, nsIp: `10.66.${pairs}.6` };
const SUBNETS = { Berth: `10.66.${berthNet}.0/24`, dockerd: `10.66.${dockerdNet}.0/24` };
const POOL = 'base=10.66.240.0/21,size=24';

// ---- processes ---------------------------------------------------------------

function run(cmd, args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? process.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });
const has = (bin) => sh('sh', ['-c', `command -v ${bin}`]).status === 0;

function docker(host, args) {
  return must(DOCKER, args, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' } });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Host ports of 45000-45999 that nothing listens on now. */
function freePorts(n) {
  const listening = sh('ss', ['-Htuln']).stdout ?? '';
  const out = new Set();
  while (out.size < n) {
    const p = 45000 + crypto.randomInt(0, 1000);
    if (!new RegExp(`:${p}\\s`).test(listening)) out.add(p);
  }
  return [...out];
}

// ---- clean-up ----------------------------------------------------------------

const undo = [];
async function cleanUp() {
  while (undo.length > 0) {
    const step = undo.pop();
    try {
      await step();
    } catch (err) {
      console.error(`clean-up: ${err.message}`);
    }
  }
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`${sig}: cleaning up`);
    cleanUp().finally(() => process.exit(130));
  });
}

// ---- tools -------------------------------------------------------------------

function buildTools(dir) {
  for (const name of ['tcpblast', 'dnsloop']) {
    const r = sh('gcc', ['-static', '-O2', '-o', path.join(dir, name), path.join(repo, 'scripts/bench/net', `${name}.c`)]);
    if (r.status !== 0) throw new Error(`gcc ${name}.c: ${r.stderr}`);
  }
}

/** A child left running (a tcpblast server); stopped by its pid at clean-up. */
function background(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  undo.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });
  return child;
}

/** `tcpblast` prints "<seconds> <MB/s>": the MB/s of each of RUNS transfers. */
async function throughput(cmd, args) {
  const rates = [];
  for (let i = 0; i < RUNS; i++) {
    const out = await must(cmd, args);
    rates.push(Number(out.trim().split(/\s+/)[1]));
  }
  return median(rates);
}

// ---- namespaces of the bench itself ------------------------------------------

async function ip(...args) {
  await must('ip', args);
}

/**
 * (b) two namespaces joined by a bare veth pair; a tcpblast server in one.
 * Answers the measurement, run again around each engine: on a shared, busy
 * host the floor moves, and one taken minutes apart would be no floor.
 */
async function makeFloor(tools) {
  await ip('netns', 'add', FLOOR.a);
  undo.push(() => ip('netns', 'del', FLOOR.a));
  await ip('netns', 'add', FLOOR.b);
  undo.push(() => ip('netns', 'del', FLOOR.b));
  await ip('link', 'add', FLOOR.va, 'type', 'veth', 'peer', 'name', FLOOR.vb);
  // Deleting a namespace deletes the veth in it; this is for a failure before the moves.
  undo.push(async () => { if (fs.existsSync(`/sys/class/net/${FLOOR.va}`)) await ip('link', 'del', FLOOR.va); });
  await ip('link', 'set', FLOOR.va, 'netns', FLOOR.a);
  await ip('link', 'set', FLOOR.vb, 'netns', FLOOR.b);
  for (const [ns, dev, addr] of [[FLOOR.a, FLOOR.va, FLOOR.ipA], [FLOOR.b, FLOOR.vb, FLOOR.ipB]]) {
    await ip('-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev);
    await ip('-n', ns, 'link', 'set', dev, 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  background('ip', ['netns', 'exec', FLOOR.b, path.join(tools, 'tcpblast'), '-l', '9000']);
  return () => throughput('ip', ['netns', 'exec', FLOOR.a, path.join(tools, 'tcpblast'), FLOOR.ipB, '9000', String(MIB)]);
}

/** (d) a namespace with a veth to the host and a default route through it: an outside client. */
async function makeClientNamespace() {
  await ip('netns', 'add', CLIENT.ns);
  undo.push(() => ip('netns', 'del', CLIENT.ns));
  await ip('link', 'add', CLIENT.vh, 'type', 'veth', 'peer', 'name', CLIENT.vc);
  undo.push(async () => { if (fs.existsSync(`/sys/class/net/${CLIENT.vh}`)) await ip('link', 'del', CLIENT.vh); });
  await ip('link', 'set', CLIENT.vc, 'netns', CLIENT.ns);
  await ip('addr', 'add', `${CLIENT.hostIp}/30`, 'dev', CLIENT.vh);
  await ip('link', 'set', CLIENT.vh, 'up');
  await ip('-n', CLIENT.ns, 'addr', 'add', `${CLIENT.nsIp}/30`, 'dev', CLIENT.vc);
  await ip('-n', CLIENT.ns, 'link', 'set', CLIENT.vc, 'up');
  await ip('-n', CLIENT.ns, 'link', 'set', 'lo', 'up');
  await ip('-n', CLIENT.ns, 'route', 'add', 'default', 'via', CLIENT.hostIp);
}

// ---- the reference dockerd ---------------------------------------------------

function iptablesLines() {
  return ['filter', 'nat'].flatMap((t) => (sh('iptables', ['-w', '-t', t, '-S']).stdout ?? '').split('\n').filter(Boolean).map((l) => [t, l]));
}

/**
 * dockerd leaves its chains (DOCKER, DOCKER-USER, DOCKER-ISOLATION-*) and the
 * jumps to them behind when it stops: remove those it added, rules first.
 */
function removeDockerdChains(before) {
  const had = new Set(before.map(([t, l]) => `${t} ${l}`));
  const added = iptablesLines().filter(([t, l]) => !had.has(`${t} ${l}`) && /DOCKER/.test(l));
  for (const [t, l] of added.filter(([, l]) => l.startsWith('-A '))) {
    const fields = l.split(/\s+/).slice(1).map((f) => f.replace(/^"(.*)"$/, '$1'));
    sh('iptables', ['-w', '-t', t, '-D', ...fields]);
  }
  const chains = added.filter(([, l]) => l.startsWith('-N ')).map(([t, l]) => [t, l.split(/\s+/)[1]]);
  for (const [t, c] of chains) sh('iptables', ['-w', '-t', t, '-F', c]);
  for (const [t, c] of chains) sh('iptables', ['-w', '-t', t, '-X', c]);
}

function unmountUnder(dir) {
  const points = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]).filter((p) => p && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) sh('umount', ['-l', p]);
}

async function startDockerd(busybox) {
  // Not /tmp/berth-*: the test harness reaps those as its own.
  const dir = fs.mkdtempSync('/tmp/bnd-');
  const sock = path.join(dir, 'd.sock');
  const before = iptablesLines();
  undo.push(async () => {
    removeDockerdChains(before);
    unmountUnder(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'w');
  const child = spawn('dockerd', [
    '--host', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'd.pid'), '--bridge', 'none', '--iptables', '--default-address-pool', POOL,
  ], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  undo.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  });
  const host = `unix://${sock}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`dockerd exited: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
    if ((await run(DOCKER, ['version'], { env: { ...process.env, DOCKER_HOST: host } })).code === 0) break;
    if (i > 150) throw new Error('dockerd did not answer in 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  await docker(host, ['load', '-i', busybox]);
  return host;
}

// ---- one engine --------------------------------------------------------------

async function bench(label, host, tools, subnet, measureFloor) {
  const out = {};
  const net = `bnet${tag}`;
  const srv = `bsrv${tag}`;
  const cli = `bcli${tag}`;
  const [loPort, dnatPort] = freePorts(2);
  await docker(host, ['network', 'create', '--subnet', subnet, net]);
  // For a failure half-way; quiet when the end of this function removed them already.
  const env = { ...process.env, DOCKER_HOST: host };
  undo.push(() => run(DOCKER, ['network', 'rm', net], { env }));
  undo.push(() => run(DOCKER, ['rm', '-f', srv, cli], { env }));
  await docker(host, ['run', '-d', '--name', srv, '--network', net, '-v', `${tools}:/b:ro`,
    '-p', `127.0.0.1:${loPort}:9000`, '-p', `${dnatPort}:9000`, 'busybox', '/b/tcpblast', '-l', '9000']);
  await docker(host, ['run', '-d', '--name', cli, '--network', net, '-v', `${tools}:/b:ro`, 'busybox', 'sleep', '3600']);
  const srvIp = (await docker(host, ['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, srv])).trim();

  out.floorBefore = await measureFloor();
  out.c2c = await throughput(DOCKER, ['-H', host, 'exec', cli, '/b/tcpblast', srvIp, '9000', String(MIB)]);
  out.loopback = await throughput(path.join(tools, 'tcpblast'), ['127.0.0.1', String(loPort), String(MIB)]);
  out.dnat = await throughput('ip', ['netns', 'exec', CLIENT.ns, path.join(tools, 'tcpblast'), CLIENT.hostIp, String(dnatPort), String(MIB)]);
  out.floorAfter = await measureFloor();
  // The floor of this engine's round: the mean of the floor measured just before and just after its transfers.
  out.floor = (out.floorBefore + out.floorAfter) / 2;

  // A warm-up round first: the first queries also pay for caches filling and (Berth) the JIT.
  await docker(host, ['exec', cli, '/b/dnsloop', srv, String(LOOKUPS)]);
  const rounds = [];
  for (let i = 0; i < 3; i++) {
    const [rate, answers, rcode] = (await docker(host, ['exec', cli, '/b/dnsloop', srv, String(LOOKUPS)])).trim().split(/\s+/).map(Number);
    if (answers < 1 || rcode !== 0) throw new Error(`${label}: ${srv} did not resolve (rcode ${rcode}, ${answers} answers)`);
    rounds.push(rate);
  }
  out.dns = median(rounds);

  await docker(host, ['run', '--rm', '--network', 'none', 'busybox', 'true']);
  await docker(host, ['run', '--rm', '--network', net, 'busybox', 'true']);
  const none = [];
  const onNet = [];
  for (let i = 0; i < STARTS; i++) {
    none.push(await timed(() => docker(host, ['run', '--rm', '--network', 'none', 'busybox', 'true'])));
    onNet.push(await timed(() => docker(host, ['run', '--rm', '--network', net, 'busybox', 'true'])));
  }
  out.runNone = median(none);
  out.runNet = median(onNet);
  out.runAdded = out.runNet - out.runNone;

  await docker(host, ['rm', '-f', srv, cli]);
  await docker(host, ['network', 'rm', net]);
  console.error(`${label}: done`);
  return out;
}

// ---- report ------------------------------------------------------------------

function report(results) {
  const engines = Object.keys(results);
  const f = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  const rows = [
    ['(b) floor: bare veth pair, MB/s (around the round)', (r) => r.floor, 0],
    ['(a) container to container, user network, MB/s', (r) => r.c2c, 0],
    ['    (a) / floor', (r) => r.c2c / r.floor, 2],
    ['(c) host to container, 127.0.0.1:port, MB/s', (r) => r.loopback, 0],
    ['(d) namespace to container through DNAT, MB/s', (r) => r.dnat, 0],
    ['    (d) / floor', (r) => r.dnat / r.floor, 2],
    ['(e) docker run --rm --network none, ms (median)', (r) => r.runNone, 0],
    ['(e) docker run --rm --network NET, ms (median)', (r) => r.runNet, 0],
    ['(e) added by --network NET, ms', (r) => r.runAdded, 0],
    ['(f) DNS lookups/s of a container name', (r) => r.dns, 0],
  ];
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  const head = ['', ...engines, ...(engines.length === 2 ? ['Berth/dockerd'] : [])];
  console.log(`\n${MIB} MiB per transfer, median of ${RUNS}; ${STARTS} runs per mode; ${LOOKUPS} lookups x 3`);
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(width) : h.padStart(14))).join(''));
  for (const [name, get, digits] of rows) {
    const vals = engines.map((e) => get(results[e]));
    const cells = vals.map((v) => f(v, digits).padStart(14));
    if (engines.length === 2) cells.push(f(vals[0] / vals[1], 2).padStart(14));
    console.log(name.padEnd(width) + cells.join(''));
  }
  const b = results.Berth;
  const d = results.dockerd;
  if (!b) return console.log(`\n${JSON.stringify({ mib: MIB, runs: RUNS, results })}`);
  console.log('\nAims:');
  console.log(`  DNAT within 10% of the floor: ${f((b.dnat / b.floor) * 100, 0)}% of it -> ${b.dnat >= 0.9 * b.floor ? 'met' : 'NOT met'}`);
  if (d) {
    console.log(`  loopback at least dockerd's: ${f(b.loopback / d.loopback, 2)}x -> ${b.loopback >= d.loopback ? 'met' : 'NOT met'}`);
    console.log(`  lookups at least dockerd's: ${f(b.dns / d.dns, 2)}x -> ${b.dns >= d.dns ? 'met' : 'NOT met'}`);
    console.log(`  docker run --rm on a user network at most half of dockerd's: ${f(b.runNet / d.runNet, 2)}x -> ${b.runNet <= d.runNet / 2 ? 'met' : 'NOT met'}`);
  }
  console.log(`\n${JSON.stringify({ mib: MIB, runs: RUNS, results })}`);
}

// ---- main ---------------------------------------------------------------------

try {
  const tools = fs.mkdtempSync('/tmp/bnt-');
  undo.push(async () => fs.rmSync(tools, { recursive: true, force: true }));
  fs.chmodSync(tools, 0o755);
  buildTools(tools);
  const busybox = await fixturePath('busybox.tar');

  const measureFloor = await makeFloor(tools);
  await makeClientNamespace();

  const results = {};
  if (process.env.BENCH_BERTH !== '0') {
    const berth = await startBerth({ tcp: false, logLevel: 'warn' });
    undo.push(() => berth.stop());
    await docker(berth.dockerHost, ['load', '-i', busybox]);
    results.Berth = await bench('Berth', berth.dockerHost, tools, SUBNETS.Berth, measureFloor);
    await berth.stop();
  }

  if (process.env.BENCH_DOCKERD !== '0' && has('dockerd')) {
    const host = await startDockerd(busybox);
    results.dockerd = await bench('dockerd', host, tools, SUBNETS.dockerd, measureFloor);
  } else {
    console.error('no reference dockerd (not installed, or BENCH_DOCKERD=0)');
  }
  report(results);
} catch (err) {
  console.error(err.stack ?? String(err));
  process.exitCode = 1;
} finally {
  await cleanUp();
}
