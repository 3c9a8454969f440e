import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseApiMount, parseBind, planMounts } from './mount-plan';

describe('mount plan', () => {
  test('binds: host paths, named volumes, modes', () => {
    assert.deepEqual(
      { ...parseBind('/srv/data:/data:ro') },
      { type: 'bind', destination: '/data', source: '/srv/data', readOnly: true, mode: 'ro', propagation: 'rprivate', mustExist: false, copyImageData: false, tmpfsOptions: [] },
    );
    const v = parseBind('cache:/var/cache/');
    assert.equal(v.type, 'volume');
    assert.equal(v.source, 'cache');
    assert.equal(v.destination, '/var/cache');
    assert.equal(v.mode, 'z');
    assert.equal(v.copyImageData, true);
    assert.equal(parseBind('cache:/c:nocopy').copyImageData, false);
    assert.equal(parseBind('/a:/b:rshared').propagation, 'rshared');
    assert.throws(() => parseBind('/a'), /invalid volume specification: '\/a'/);
    assert.throws(() => parseBind('/a:/b:xx'), /invalid mode: xx/);
    assert.throws(() => parseBind('/a:rel'), /mount path must be absolute/);
    assert.throws(() => parseBind('bad name:/x'), /includes invalid characters for a local volume name/);
  });

  test('Mounts API: bind source must exist, tmpfs options, wrong fields refused', () => {
    const b = parseApiMount({ Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true });
    assert.equal(b.mustExist, true);
    assert.equal(b.readOnly, true);
    const t = parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } });
    assert.deepEqual(t.tmpfsOptions, ['size=1024k', 'mode=1777']);
    assert.equal(t.listed, true);
    assert.throws(() => parseApiMount({ Type: 'tmpfs', Source: 'x', Target: '/t' }), /field Source must not be specified/);
    assert.throws(() => parseApiMount({ Type: 'nfs', Target: '/t' }), /mount type unknown/);
    assert.throws(() => parseApiMount({ Type: 'volume', Target: '' }), /field Target must not be empty/);
  });

  test('precedence, duplicates, anonymous image volumes', () => {
    const plan = planMounts({ Binds: ['named:/data'], Tmpfs: { '/run': 'size=1m' } }, { '/data': {}, '/var/lib/x': {} });
    assert.deepEqual(plan.map((m) => [m.type, m.destination, m.source]), [['volume', '/data', 'named'], ['tmpfs', '/run', ''], ['volume', '/var/lib/x', '']]);
    assert.throws(() => planMounts({ Binds: ['/a:/d', 'vv:/d'] }, null), /Duplicate mount point: \/d/);
  });
});
