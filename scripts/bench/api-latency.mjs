#!/usr/bin/env node
// Latency of GET /_ping and GET /volumes (100 volumes) through the whole path:
// unix socket -> gateway -> gRPC -> volume-service -> SQLite, on a private
// Berth started on temp paths. With BENCH_DOCKERD_SOCKET=/path/docker.sock the
// same requests also go to that dockerd for comparison.
// Usage: node scripts/bench/api-latency.mjs [iterations]
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { startBerth } = require(path.join(repo, 'libs/testing/dist/index.js'));

const iterations = Number(process.argv[2] ?? 2000);
const VOLUMES = 100;

function requester(socketPath) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method, urlPath, body) => new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath, method, path: urlPath, agent, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function measure(request, urlPath, n) {
  for (let i = 0; i < Math.min(200, n); i++) await request('GET', urlPath); // warm-up
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await request('GET', urlPath);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 200) throw new Error(`${urlPath}: HTTP ${res.status} ${res.body}`);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function seed(request, prefix) {
  for (let i = 0; i < VOLUMES; i++) {
    const res = await request('POST', '/volumes/create', { Name: `${prefix}${String(i).padStart(3, '0')}`, Labels: { bench: '1' } });
    if (res.status !== 201) throw new Error(`create: HTTP ${res.status} ${res.body}`);
  }
}

const fmt = (r) => `p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  mean ${r.mean.toFixed(3)} ms`;

const berth = await startBerth({ tcp: false, logLevel: 'warn' });
try {
  const request = requester(berth.socketPath);
  await seed(request, 'benchvol');
  const list = JSON.parse((await request('GET', '/volumes')).body);
  if (list.Volumes.length !== VOLUMES) throw new Error(`expected ${VOLUMES} volumes, got ${list.Volumes.length}`);
  console.log(`Berth (${iterations} sequential requests each, keep-alive, unix socket)`);
  console.log(`  GET /_ping              ${fmt(await measure(request, '/_ping', iterations))}`);
  console.log(`  GET /volumes (${VOLUMES})     ${fmt(await measure(request, '/volumes', Math.ceil(iterations / 2)))}`);

  if (process.env.BENCH_DOCKERD_SOCKET) {
    const ref = requester(process.env.BENCH_DOCKERD_SOCKET);
    const existing = JSON.parse((await ref('GET', '/volumes')).body).Volumes ?? [];
    if (!existing.some((v) => v.Name === 'benchvol000')) await seed(ref, 'benchvol');
    console.log(`dockerd at ${process.env.BENCH_DOCKERD_SOCKET}`);
    console.log(`  GET /_ping              ${fmt(await measure(ref, '/_ping', iterations))}`);
    console.log(`  GET /volumes            ${fmt(await measure(ref, '/volumes', Math.ceil(iterations / 2)))}`);
  }
} finally {
  await berth.stop();
}
