#!/usr/bin/env node
// Runs Berth's compiled tests with Node's built-in runner and ends with one
// line, `N passed, M failed[, K skipped]`, exiting non-zero on any failure.
//
//   node scripts/run-tests.mjs [unit|integration|e2e|all]     (default: all)
//
// unit:        apps/*/dist/**/*.test.js and libs/*/dist/**/*.test.js, e2e and
//              integration excluded, files run in parallel (Node's default
//              concurrency). Needs neither root nor runc.
// integration: **/*.integration.test.js: tests of real mounts, cgroups,
//              network namespaces, runc and conmon. They need root, runc and
//              conmon; without them the tier fails saying what is missing
//              (it never skips quietly).
// e2e:         libs/testing/dist/e2e/**/*.e2e.test.js, one file at a time:
//              each starts a whole Berth.
// all:         unit, integration, e2e.
// A compiled test whose source (src/**/*.test.ts) is gone is stale and skipped.
// Env: BERTH_TEST_TIMEOUT (ms per test, e2e only, default 600000);
//      BERTH_TEST_SETUP_FAILED=1 (set by .ci/run when setup or the build
//      failed) counts that as one failure, so the summary still tells.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function walk(dir, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** dist/a/b.test.js -> src/a/b.test.ts exists? */
function hasSource(pkgDir, file) {
  const rel = path.relative(path.join(pkgDir, 'dist'), file).replace(/\.js$/, '');
  return ['.ts', '.mts', '.cts', '.tsx', '.js'].some((ext) => fs.existsSync(path.join(pkgDir, 'src', rel + ext)));
}

function packages() {
  const out = [];
  for (const group of ['apps', 'libs']) {
    const base = path.join(repo, group);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base).sort()) {
      const dir = path.join(base, name);
      if (fs.statSync(dir).isDirectory()) out.push(dir);
    }
  }
  return out;
}

/** What the integration tier needs of this machine. */
export const INTEGRATION_NEEDS = [
  { what: 'root', missing: () => (process.getuid?.() === 0 ? undefined : `running as uid ${process.getuid?.()}`) },
  { what: 'runc', missing: () => (fs.existsSync('/usr/sbin/runc') ? undefined : '/usr/sbin/runc not found') },
  { what: 'conmon', missing: () => (fs.existsSync('/usr/bin/conmon') ? undefined : '/usr/bin/conmon not found') },
];

export function kindOf(file) {
  if (file.endsWith('.e2e.test.js')) return 'e2e';
  if (file.endsWith('.integration.test.js')) return 'integration';
  return file.endsWith('.test.js') ? 'unit' : undefined;
}

function findTests(kind) {
  const files = [];
  const stale = [];
  for (const pkg of packages()) {
    const dist = path.join(pkg, 'dist');
    for (const f of walk(dist)) {
      const wanted = kindOf(f) === kind && (kind !== 'e2e' || f.startsWith(path.join(repo, 'libs', 'testing', 'dist', 'e2e') + path.sep));
      if (!wanted) continue;
      (hasSource(pkg, f) ? files : stale).push(f);
    }
  }
  return { files: files.sort(), stale: stale.sort() };
}

/**
 * Counts results from Node's TAP output. Every `ok`/`not ok` line is a test,
 * top-level or nested, except suites (YAML `type: 'suite'`), which only count
 * when they fail with no failing test inside (a describe() that threw).
 * `# SKIP` and `# TODO` results count as skipped, whatever their outcome.
 */
export function countTap(text) {
  const lines = text.split('\n');
  const counts = { passed: 0, failed: 0, skipped: 0 };
  // Per indentation: have failures been counted below the next result at that depth?
  const failedBelow = new Map();
  const resultRe = /^(\s*)(ok|not ok)\b(?:\s+\d+)?(?:\s+-\s+)?(.*)$/;
  for (let i = 0; i < lines.length; i++) {
    const m = resultRe.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    const ok = m[2] === 'ok';
    const directive = /(?<!\\)#\s*(SKIP|TODO)\b/i.exec(m[3]);

    // Its YAML block, if any, says whether it is a suite; skip over it so
    // nothing inside (error messages, stacks) is read as a result.
    let isSuite = false;
    if (lines[i + 1] !== undefined && lines[i + 1].trim() === '---') {
      let j = i + 2;
      for (; j < lines.length && lines[j].trim() !== '...'; j++) {
        if (/^\s*type:\s*'?suite'?\s*$/.test(lines[j])) isSuite = true;
      }
      i = j;
    }

    let childFailed = false;
    for (const [depth, failed] of failedBelow) {
      if (depth > indent) {
        childFailed ||= failed;
        failedBelow.delete(depth);
      }
    }

    let countedFailure = childFailed;
    if (directive) counts.skipped++;
    else if (isSuite) {
      if (!ok && !childFailed) { counts.failed++; countedFailure = true; }
    } else if (ok) counts.passed++;
    else { counts.failed++; countedFailure = true; }
    failedBelow.set(indent, (failedBelow.get(indent) ?? false) || countedFailure);
  }
  return counts;
}

function run(kind, files) {
  const tapFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tap-')), `${kind}.tap`);
  const args = [
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
  ];
  if (kind === 'e2e') args.push('--test-concurrency=1', `--test-timeout=${process.env.BERTH_TEST_TIMEOUT || 600000}`);
  args.push(...files);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    // Ctrl-C reaches the runner's children directly; just wait for them.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      let tap = '';
      try {
        tap = fs.readFileSync(tapFile, 'utf8');
      } catch { /* the runner died before writing */ }
      fs.rmSync(path.dirname(tapFile), { recursive: true, force: true });
      const counts = countTap(tap);
      // A runner that failed without reporting a failing test still failed.
      if ((code !== 0 || signal) && counts.failed === 0) {
        console.log(`${kind} test runner ended with ${signal ?? `code ${code}`} without reporting a failure`);
        counts.failed++;
      }
      resolve(counts);
    });
  });
}

async function main() {
  const which = process.argv[2] ?? 'all';
  if (!['unit', 'integration', 'e2e', 'all'].includes(which)) {
    console.error('usage: node scripts/run-tests.mjs [unit|integration|e2e|all]');
    process.exit(2);
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  if (process.env.BERTH_TEST_SETUP_FAILED === '1') {
    console.log('setup or build failed (see above): counted as one failure; tests run on what was built');
    total.failed++;
  }
  for (const kind of which === 'all' ? ['unit', 'integration', 'e2e'] : [which]) {
    const { files, stale } = findTests(kind);
    for (const f of stale) console.log(`skipping stale ${path.relative(repo, f)} (its source is gone)`);
    if (files.length === 0) {
      console.log(`no ${kind} tests found (run pnpm build first?)`);
      continue;
    }
    if (kind === 'integration') {
      const unmet = INTEGRATION_NEEDS.map((n) => ({ ...n, why: n.missing() })).filter((n) => n.why);
      if (unmet.length > 0) {
        console.log(`# integration: ${files.length} file(s) not run: they need root, runc and conmon; missing: ${unmet.map((n) => `${n.what} (${n.why})`).join(', ')}`);
        total.failed++;
        continue;
      }
    }
    console.log(`# ${kind}: ${files.length} file(s)`);
    const c = await run(kind, files);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  process.exit(total.failed > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
