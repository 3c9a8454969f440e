import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readExitFile, readPidFile, readPidFileSync, readTextFile, readTextFileSync, writePidFile } from './index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-host-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text?: string): string => {
  const p = path.join(dir, name);
  if (text !== undefined) fs.writeFileSync(p, text);
  return p;
};

test('text files come back trimmed, missing ones as empty', async () => {
  assert.equal(await readTextFile(file('t', '  hello\n')), 'hello');
  assert.equal(readTextFileSync(file('t')), 'hello');
  assert.equal(await readTextFile(file('missing')), '');
  assert.equal(readTextFileSync(file('missing')), '');
});

test('pid files: a positive integer or nothing', async () => {
  assert.equal(await readPidFile(file('p1', '1234\n')), 1234);
  assert.equal(readPidFileSync(file('p1')), 1234);
  for (const [name, text] of [['p2', ''], ['p3', 'abc'], ['p4', '0'], ['p5', '-3'], ['p6', '1.5']]) {
    assert.equal(await readPidFile(file(name!, text)), undefined, name);
  }
  assert.equal(await readPidFile(file('nope')), undefined);
});

test('writePidFile writes through a rename and makes the directory', () => {
  const p = path.join(dir, 'sub', 'x.pid');
  writePidFile(p, 42);
  assert.equal(fs.readFileSync(p, 'utf8'), '42\n');
  assert.deepEqual(fs.readdirSync(path.dirname(p)), ['x.pid']);
});

test('exit files: a code, nothing yet, or an error for garbage', async () => {
  assert.equal(await readExitFile(file('e1', '137\n')), 137);
  assert.equal(await readExitFile(file('e2', '0')), 0);
  assert.equal(await readExitFile(file('e3', '')), undefined);
  assert.equal(await readExitFile(file('e4')), undefined);
  await assert.rejects(readExitFile(file('e5', 'zz')), /holds "zz"/);
});
