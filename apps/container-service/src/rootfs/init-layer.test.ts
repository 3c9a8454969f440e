import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeInitLayer } from './init-layer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-init-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('init layer', () => {
  test('placeholders for what the image lacks, nothing over what it has', () => {
    const layer = path.join(dir, 'layer');
    fs.mkdirSync(path.join(layer, 'proc'), { recursive: true });
    fs.chmodSync(path.join(layer, 'proc'), 0o555);
    const upper = path.join(dir, 'upper');
    writeInitLayer(upper, [layer]);
    assert.ok(!fs.existsSync(path.join(upper, 'proc')), 'the image has /proc');
    assert.equal(fs.statSync(path.join(upper, '.dockerenv')).mode & 0o7777, 0o755);
    assert.equal(fs.statSync(path.join(upper, '.dockerenv')).size, 0);
    assert.ok(fs.statSync(path.join(upper, 'dev/pts')).isDirectory());
    assert.equal(fs.readlinkSync(path.join(upper, 'etc/mtab')), '/proc/mounts');
  });
});
