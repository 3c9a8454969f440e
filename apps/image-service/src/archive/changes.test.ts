import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from './changes';
import { chainIds, sha256 } from '../store/digest';
import { bar, ProgressBatcher } from '../pull/progress';
import { decodeRegistryAuth } from '../pull/puller';

test('import changes follow Dockerfile forms', () => {
  const cfg = applyChanges({}, ['CMD ["sh"]', 'ENTRYPOINT echo hi', 'ENV A=b C="d e"', 'ENV LEGACY value with spaces', 'EXPOSE 80 53/udp', 'LABEL x=y', 'USER nobody', 'WORKDIR /srv', 'VOLUME /data', 'STOPSIGNAL SIGINT']);
  assert.deepEqual(cfg.Cmd, ['sh']);
  assert.deepEqual(cfg.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(cfg.Env, ['A=b', 'C=d e', 'LEGACY=value with spaces']);
  assert.deepEqual(cfg.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(cfg.Labels, { x: 'y' });
  assert.equal(cfg.User, 'nobody');
  assert.equal(cfg.WorkingDir, '/srv');
  assert.deepEqual(cfg.Volumes, { '/data': {} });
  assert.equal(cfg.StopSignal, 'SIGINT');
  assert.throws(() => applyChanges({}, ['RUN echo']), /run is not a valid change command/);
});

test('chain IDs follow the image spec', () => {
  const a = sha256('a');
  const b = sha256('b');
  assert.deepEqual(chainIds([a]), [a]);
  assert.deepEqual(chainIds([a, b]), [a, sha256(`${a} ${b}`)]);
});

test('progress bars and batching', async () => {
  assert.match(bar(50, 100), /^\[=+>\s+\] 50B\/100B$/);
  const batches: string[][] = [];
  const p = new ProgressBatcher(async (lines) => { batches.push(lines.map((l) => `${l.status}:${l.progressDetail?.current ?? ''}`)); }, 10);
  p.line({ status: 'Pulling fs layer', id: 'a' });
  for (let i = 1; i <= 100; i++) p.counter({ status: 'Downloading', id: 'a', progressDetail: { current: i, total: 100 } });
  await p.flush();
  assert.deepEqual(batches, [['Pulling fs layer:', 'Downloading:100']]);
});

test('X-Registry-Auth decodes base64url JSON and ignores garbage', () => {
  const header = Buffer.from(JSON.stringify({ username: 'u', password: 'p?>' })).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  assert.deepEqual(decodeRegistryAuth(header), { username: 'u', password: 'p?>' });
  assert.equal(decodeRegistryAuth('!!!'), undefined);
  assert.equal(decodeRegistryAuth(undefined), undefined);
});
