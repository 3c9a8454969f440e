import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sweepLeftovers } from './leftovers';

test('sweeps files of dead processes and old unnamed staging dirs, keeps the rest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-'));
  try {
    const dead = spawnSync('true').pid!;
    fs.writeFileSync(path.join(dir, `pull-${dead}-abcdef`), 'x');
    fs.writeFileSync(path.join(dir, `pull-${process.pid}-abcdef`), 'mine');
    fs.mkdirSync(path.join(dir, `staging-${dead}-0a0b`));
    const old = path.join(dir, `${'a'.repeat(64)}.tmp-Xy12`);
    fs.mkdirSync(old);
    fs.utimesSync(old, new Date(Date.now() - 7 * 3600_000), new Date(Date.now() - 7 * 3600_000));
    fs.mkdirSync(path.join(dir, `${'b'.repeat(64)}.tmp-Zz99`));
    fs.mkdirSync(path.join(dir, 'c'.repeat(64)));
    const removed = sweepLeftovers(dir).sort();
    assert.deepEqual(removed, [`${'a'.repeat(64)}.tmp-Xy12`, `pull-${dead}-abcdef`, `staging-${dead}-0a0b`].sort());
    assert.deepEqual(fs.readdirSync(dir).sort(), [`${'b'.repeat(64)}.tmp-Zz99`, 'c'.repeat(64), `pull-${process.pid}-abcdef`].sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
