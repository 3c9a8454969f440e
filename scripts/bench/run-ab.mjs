#!/usr/bin/env node
// `docker run --rm busybox true` on two builds of Berth, interleaved A B A B
// so that the machine's drift hits both alike: to tell whether a change made
// the hot path slower. Each tree must be built (pnpm build); each gets its
// own private Berth on temp paths with busybox loaded.
//
//   node scripts/bench/run-ab.mjs /path/to/tree-A /path/to/tree-B [runs=60]
//
// Prints each side's p50/p90 and the median of the pairwise ratios A/B.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const DOCKER = process.env.BERTH_TEST_DOCKER || '/usr/local/bin/docker';
const [treeA, treeB, runsArg] = process.argv.slice(2);
if (!treeA || !treeB) {
  console.error('usage: node scripts/bench/run-ab.mjs TREE_A TREE_B [runs]');
  process.exit(2);
}
const runs = Number(runsArg ?? 60);

function docker(host, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

async function timedRun(host) {
  const t = process.hrtime.bigint();
  await docker(host, ['run', '--rm', 'busybox', 'true']);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function start(tree) {
  const testing = require(path.join(path.resolve(tree), 'libs/testing/dist/index.js'));
  const berth = await testing.startBerth({ tcp: false, logLevel: 'warn' });
  await docker(berth.dockerHost, ['load', '-i', await testing.fixturePath('busybox.tar')]);
  return berth;
}

const a = await start(treeA);
const b = await start(treeB);
try {
  for (let i = 0; i < 3; i++) {
    await timedRun(a.dockerHost);
    await timedRun(b.dockerHost);
  }
  const ta = [];
  const tb = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    let xa;
    let yb;
    if (i % 2 === 0) {
      xa = await timedRun(a.dockerHost);
      yb = await timedRun(b.dockerHost);
    } else {
      yb = await timedRun(b.dockerHost);
      xa = await timedRun(a.dockerHost);
    }
    ta.push(xa);
    tb.push(yb);
    ratios.push(xa / yb);
  }
  const fmt = (xs) => `p50 ${quantile(xs, 0.5).toFixed(0)} ms  p90 ${quantile(xs, 0.9).toFixed(0)} ms`;
  console.log(`docker run --rm busybox true, ${runs} pairs`);
  console.log(`  A ${treeA}: ${fmt(ta)}`);
  console.log(`  B ${treeB}: ${fmt(tb)}`);
  console.log(`  A/B median of pairwise ratios ${quantile(ratios, 0.5).toFixed(3)}`);
} finally {
  await a.stop();
  await b.stop();
}
