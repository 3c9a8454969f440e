import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Berth, startBerth } from '../index';
import { fixturePath } from '../fixtures';
import { Registry, startRegistry } from '../registry';

let berth: Berth;
let registry: Registry;
let second: ChildProcess | undefined;
let secondLog = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  registry = await startRegistry();
  await registry.push(await fixturePath('bigrandom.tar'), 'bigrandom:latest');
  berth = await startBerth();
  // A second image-service replica on its own gRPC socket, consuming the same queues.
  second = spawn(process.execPath, [path.resolve(__dirname, '../../../../apps/image-service/dist/main.js')], {
    env: { ...berth.env, BERTH_IMAGE_ADDR: `unix:${path.join(berth.runRoot, 'image-b.sock')}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  second.stderr!.on('data', (c: Buffer) => { secondLog += c.toString(); });
  const deadline = Date.now() + 20_000;
  while (!secondLog.includes('grpc listening') && Date.now() < deadline) await sleep(100);
  assert.match(secondLog, /grpc listening/, 'second replica started');
});

after(async () => {
  if (second && second.exitCode === null) {
    second.kill('SIGKILL');
    await new Promise((r) => second!.once('exit', r));
  }
  await berth?.stop();
  await registry?.stop();
});

test('a worker killed in the middle of a pull: another replica retries the job and it completes', async () => {
  const image = `${registry.host}/bigrandom:latest`;
  const cli = berth.spawnDocker(['pull', image]);
  let out = '';
  let err = '';
  cli.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  cli.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number>((resolve) => cli.once('exit', (code) => resolve(code ?? -1)));

  const deadline = Date.now() + 30_000;
  while (!/Downloading|Pull complete/.test(out) && Date.now() < deadline) await sleep(20);
  assert.match(out, /Downloading|Pull complete/, 'the pull started');
  // Kill whichever replica holds the job, mid-download.
  const secondHasIt = secondLog.includes('pull started');
  if (secondHasIt) second!.kill('SIGKILL');
  else await berth.killService('image');

  const code = await Promise.race([exited, sleep(120_000).then(() => -2)]);
  assert.equal(code, 0, `pull finished after the retry: ${err}\n${out}`);
  assert.match(out, /Status: Downloaded newer image/);
  if (!secondHasIt) {
    assert.match(secondLog, /pull started/, 'the other replica took the retried job');
    await berth.startService('image');
  }
  const inspect = await berth.docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', image]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(inspect.stdout.trim(), '4');
  // Nothing half-written is visible: every layer directory belongs to the image.
  const layersDir = path.join(berth.dataRoot, 'images', 'layers');
  const visible = fs.readdirSync(layersDir).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.equal(visible.length, 4);
});
