#!/usr/bin/env node
// Pull throughput: an image of 4 layers x 25 MiB of random data from a local
// docker-registry, pulled by Berth (`docker pull`), next to the floor for the
// same work on this machine: fetching the same blobs with curl (3 at a time,
// as Berth does) piped into `tar -xz`.
// Usage: node scripts/bench/pull-throughput.mjs [runs, default 5]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testing = require(path.join(repo, 'libs/testing/dist/index.js'));
const runs = Number(process.argv[2] ?? 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sh(cmd) {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd}: exit ${code}`))));
  });
}

const registry = await testing.startRegistry();
const berth = await testing.startBerth({ tcp: false, logLevel: 'warn' });
try {
  await registry.push(await testing.fixturePath('bigrandom.tar'), 'bigrandom:latest');
  const manifest = JSON.parse((await registry.request('/v2/bigrandom/manifests/latest', { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).body.toString());
  const layers = manifest.layers;
  const total = layers.reduce((s, l) => s + l.size, 0);
  const image = `${registry.host}/bigrandom:latest`;

  // One untimed run of each warms the page cache, the JIT and the registry alike.
  const berthTimes = [];
  for (let i = -1; i < runs; i++) {
    await berth.docker(['rmi', '-f', image]);
    const t = process.hrtime.bigint();
    const res = await berth.docker(['pull', image]);
    if (i >= 0) berthTimes.push(Number(process.hrtime.bigint() - t) / 1e9);
    if (res.code !== 0) throw new Error(`pull failed: ${res.stderr}`);
  }

  const floorTimes = [];
  for (let i = -1; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-floor-'));
    const t = process.hrtime.bigint();
    // three at a time, as the image service downloads
    for (let j = 0; j < layers.length; j += 3) {
      await Promise.all(layers.slice(j, j + 3).map((l, k) => {
        const out = path.join(dir, `l${j + k}`);
        fs.mkdirSync(out);
        return sh(`curl -sf http://${registry.host}/v2/bigrandom/blobs/${l.digest} | tar -xzf - -C ${out}`);
      }));
    }
    if (i >= 0) floorTimes.push(Number(process.hrtime.bigint() - t) / 1e9);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const mb = total / 1e6;
  const b = median(berthTimes);
  const f = median(floorTimes);
  console.log(`image: ${layers.length} layers, ${mb.toFixed(1)} MB compressed; ${runs} runs each, medians`);
  console.log(`  Berth docker pull      ${b.toFixed(2)} s   ${(mb / b).toFixed(1)} MB/s   (runs: ${berthTimes.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  floor curl | tar -xz   ${f.toFixed(2)} s   ${(mb / f).toFixed(1)} MB/s   (runs: ${floorTimes.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  Berth / floor throughput: ${((f / b) * 100).toFixed(0)}%`);
} finally {
  await berth.stop();
  await registry.stop();
}

