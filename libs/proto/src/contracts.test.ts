import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

// The contracts are checked as containerd checks its own: buf lint for
// style, buf breaking against the main branch for wire compatibility.
const pkg = path.resolve(__dirname, '..');
const buf = path.join(pkg, 'node_modules', '.bin', 'buf');

function run(args: string[]): { status: number | null; output: string } {
  const res = spawnSync(buf, args, { cwd: pkg, encoding: 'utf8' });
  return { status: res.status, output: `${res.stdout}${res.stderr}${res.error ? String(res.error) : ''}` };
}

test('buf lint passes over proto/', () => {
  const res = run(['lint']);
  assert.equal(res.status, 0, res.output);
});

test('buf breaking finds no wire-incompatible change against the main branch', (t) => {
  const git = (args: string[]) => execFileSync('git', args, { cwd: pkg, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel']);
  } catch {
    t.skip('not a git checkout: nothing to compare against');
    return;
  }
  const against = process.env.BERTH_PROTO_AGAINST || 'main';
  try {
    git(['cat-file', '-e', `${against}:libs/proto/buf.yaml`]);
  } catch {
    t.skip(`${against} has no buf module (libs/proto/buf.yaml) to compare against`);
    return;
  }
  const res = run(['breaking', '.', '--against', `${path.join(top, '.git')}#ref=${against},subdir=libs/proto`]);
  assert.equal(res.status, 0, res.output);
});
