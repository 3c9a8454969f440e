import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { archivePath, goBase } from './go-paths';
import { goFileMode, goTimeJson, pathStatOf } from './path-stat';

test('archivePath cleans like filepath.Join("/", p) but keeps a trailing / or /.', () => {
  const cases: Array<[string, string]> = [
    ['/etc', '/etc'], ['etc', '/etc'], ['/etc/', '/etc/'], ['/etc/.', '/etc/.'], ['/etc/./', '/etc/./'],
    ['/', '/'], ['/.', '/.'], ['.', '/.'], ['/a/../b', '/b'], ['/../..', '/'], ['../../etc/passwd', '/etc/passwd'],
    ['/tmp//x//', '/tmp/x/'],
  ];
  for (const [input, want] of cases) assert.equal(archivePath(input), want, input);
});

test('goBase is filepath.Base', () => {
  const cases: Array<[string, string]> = [['/etc', 'etc'], ['/etc/', 'etc'], ['/etc/.', '.'], ['/', '/'], ['', '.'], ['a', 'a'], ['//', '/']];
  for (const [input, want] of cases) assert.equal(goBase(input), want, input);
});

test('Go FileMode bits, as dockerd reports them in the path stat', () => {
  assert.equal(goFileMode(0o040755), 2147484141); // what dockerd answers for a 0755 directory
  assert.equal(goFileMode(0o120777), 134218239); // a symlink
  assert.equal(goFileMode(0o100644), 420);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755); // setuid
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777); // sticky /tmp
  assert.equal(goFileMode(0o020666), 2 ** 26 + 2 ** 21 + 0o666); // character device
  assert.equal(goFileMode(0o060660), 2 ** 26 + 0o660); // block device
  assert.equal(goFileMode(0o010644), 2 ** 25 + 0o644); // fifo
  assert.equal(goFileMode(0o140755), 2 ** 24 + 0o755); // socket
});

test('times as Go marshals them: nanoseconds without trailing zeros', () => {
  assert.equal(goTimeJson(1_796_000_000_123_400_000n), '2026-11-30T00:53:20.1234Z');
  assert.equal(goTimeJson(1_796_000_000_000_000_000n), '2026-11-30T00:53:20Z');
  assert.equal(goTimeJson(1_796_000_000_000_000_001n), '2026-11-30T00:53:20.000000001Z');
});

test('pathStatOf reads size, mode and mtime from lstat', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-stat-'));
  try {
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'hello');
    fs.chmodSync(f, 0o640);
    fs.utimesSync(f, 1_700_000_000, 1_700_000_000.5);
    const s = pathStatOf('f', fs.lstatSync(f, { bigint: true }));
    assert.deepEqual(s, { name: 'f', size: 5, mode: 0o640, mtime: '2023-11-14T22:13:20.5Z', linkTarget: '' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
