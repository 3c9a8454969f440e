#!/usr/bin/env node
// Container benchmarks on a private Berth started on temp paths, with the real
// Docker CLI: `docker run --rm busybox true` (p50/p90 over 20 runs), `docker
// exec C true` (20 runs), `docker logs` of a container that wrote 50 MB, and
// GET /containers/json?all=1 with 50 containers. With
// BENCH_DOCKERD_SOCKET=/path/docker.sock (a dockerd with busybox loaded) the
// same commands run against it in the same run and the ratio is printed.
// For a fair comparison the reference dockerd should network its containers
// as Berth does (a bridge): e.g. `ip link add orc0 type bridge; ip addr add
// 10.250.0.1/24 dev orc0; ip link set orc0 up` and `dockerd --bridge=orc0
// --iptables=false ...`; with `--bridge=none` it skips the network entirely.
// Usage: node scripts/bench/containers.mjs [runs]
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { startBerth, fixturePath } = require(path.join(repo, 'libs/testing/dist/index.js'));
const DOCKER = process.env.BERTH_TEST_DOCKER || '/usr/local/bin/docker';
const runs = Number(process.argv[2] ?? 20);
const LOG_BYTES = 50 * 1024 * 1024;

function docker(host, args, { discard = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', discard ? 'ignore' : 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function quantiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p90: at(0.9) };
}

function get(socketPath, urlPath, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: urlPath, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${urlPath}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function bench(label, host, socketPath) {
  const out = {};
  await docker(host, ['run', '--rm', 'busybox', 'true']); // warm-up
  const run = [];
  for (let i = 0; i < runs; i++) run.push(await timed(() => docker(host, ['run', '--rm', 'busybox', 'true'])));
  out.run = quantiles(run);

  const c = (await docker(host, ['run', '-d', 'busybox', 'sleep', '600'])).trim();
  await docker(host, ['exec', c, 'true']);
  const exec = [];
  for (let i = 0; i < runs; i++) exec.push(await timed(() => docker(host, ['exec', c, 'true'])));
  out.exec = quantiles(exec);
  await docker(host, ['rm', '-f', c]);

  // 50 MB of 100-byte lines, then read back in full through the CLI.
  const lines = LOG_BYTES / 100;
  const w = (await docker(host, ['run', '-d', 'busybox', 'sh', '-c', `yes "$(printf '%099d' 0)" | head -n ${lines}`])).trim();
  await docker(host, ['wait', w]);
  await docker(host, ['logs', w], { discard: true });
  const logMs = [];
  for (let i = 0; i < 3; i++) logMs.push(await timed(() => docker(host, ['logs', w], { discard: true })));
  out.logs = { ms: quantiles(logMs).p50, mbps: LOG_BYTES / 1e6 / (quantiles(logMs).p50 / 1000) };
  await docker(host, ['rm', '-f', w]);

  const ids = [];
  for (let i = 0; i < 50; i++) ids.push((await docker(host, ['create', '--label', 'bench=1', 'busybox', 'true'])).trim());
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 50; i++) await get(socketPath, '/containers/json?all=1', agent);
  const list = [];
  for (let i = 0; i < 500; i++) list.push(await timed(() => get(socketPath, '/containers/json?all=1', agent)));
  out.list = quantiles(list);
  agent.destroy();
  await docker(host, ['rm', ...ids]);

  console.log(`${label}:`);
  console.log(`  docker run --rm busybox true   p50 ${out.run.p50.toFixed(0)} ms  p90 ${out.run.p90.toFixed(0)} ms`);
  console.log(`  docker exec C true             p50 ${out.exec.p50.toFixed(0)} ms  p90 ${out.exec.p90.toFixed(0)} ms`);
  console.log(`  docker logs (50 MB)            ${out.logs.ms.toFixed(0)} ms  ${out.logs.mbps.toFixed(1)} MB/s`);
  console.log(`  GET /containers/json?all=1 (50) p50 ${out.list.p50.toFixed(2)} ms  p90 ${out.list.p90.toFixed(2)} ms`);
  return out;
}

const berth = await startBerth({ tcp: false, logLevel: 'warn' });
try {
  await docker(berth.dockerHost, ['load', '-i', await fixturePath('busybox.tar')]);
  const b = await bench('Berth', berth.dockerHost, berth.socketPath);
  const ref = process.env.BENCH_DOCKERD_SOCKET;
  if (ref) {
    const d = await bench(`dockerd (${ref})`, `unix://${ref}`, ref);
    console.log('Berth / dockerd:');
    console.log(`  run p50 ${(b.run.p50 / d.run.p50).toFixed(2)}x  exec p50 ${(b.exec.p50 / d.exec.p50).toFixed(2)}x  logs throughput ${(b.logs.mbps / d.logs.mbps).toFixed(2)}x  list p50 ${(b.list.p50 / d.list.p50).toFixed(2)}x`);
  }
} finally {
  await berth.stop();
}
