import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerth } from '../index';

let berth: Berth;

before(async () => {
  // Plain TCP on loopback, through the insecure switch, for the TCP test below.
  berth = await startBerth({ tcp: true });
});

after(async () => {
  await berth?.stop();
});

test('docker version reports API 1.50', async () => {
  const res = await berth.docker(['version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), '1.50');
});

test('HEAD /_ping answers 200', async () => {
  const res = await berth.request('HEAD', '/_ping');
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
  assert.ok(res.headers['api-version'], 'carries Api-Version');
});

test('the TCP listener answers too', async () => {
  const res = await berth.docker(['-H', `tcp://${berth.tcpAddress}`, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), '1.50');
});

test('docker version shows a Server section', async () => {
  const res = await berth.docker(['version']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^Server: /m);
  assert.match(res.stdout, /API version:\s+1\.50 \(minimum version 1\.24\)/);
  assert.match(res.stdout, /OS\/Arch:\s+linux\//);
});

test('docker info shows the host CPUs, memory and kernel', async () => {
  const os = await import('node:os');
  const res = await berth.docker(['info']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`CPUs: ${os.cpus().length}\\b`));
  assert.match(res.stdout, new RegExp(`Kernel Version: ${os.release().replace(/[.+]/g, '\\$&')}`));
  assert.match(res.stdout, /Total Memory: \d+(\.\d+)?GiB/);
  assert.match(res.stdout, new RegExp(`Docker Root Dir: ${berth.dataRoot}`));
  const fmt = await berth.docker(['info', '--format', '{{.NCPU}} {{.MemTotal}} {{.CgroupVersion}} {{.Driver}}']);
  assert.equal(fmt.stdout.trim(), `${os.cpus().length} ${os.totalmem()} 1 overlay2`);
});

test('HEAD /_ping carries dockerd headers', async () => {
  const res = await berth.request('HEAD', '/_ping');
  for (const h of ['api-version', 'docker-experimental', 'ostype', 'server', 'cache-control', 'pragma', 'builder-version']) {
    assert.ok(res.headers[h] !== undefined, `missing ${h}`);
  }
  assert.equal(res.headers['api-version'], '1.50');
  assert.equal(res.headers.ostype, 'linux');
  const get = await berth.request('GET', '/_ping');
  assert.equal(get.body, 'OK');
});

test('every route answers under every version prefix from 1.24 to 1.50', async () => {
  for (let minor = 24; minor <= 50; minor++) {
    const res = await berth.request('GET', `/v1.${minor}/version`);
    assert.equal(res.status, 200, `v1.${minor}`);
    assert.equal(res.json<{ ApiVersion: string }>().ApiVersion, '1.50');
  }
  assert.equal((await berth.request('GET', '/v1.24/volumes')).status, 200);
});

test('a version above the maximum is refused with dockerd wording', async () => {
  const res = await berth.request('GET', '/v1.99/version');
  assert.equal(res.status, 400);
  assert.deepEqual(res.json(), { message: 'client version 1.99 is too new. Maximum supported API version is 1.50' });
  const low = await berth.request('GET', '/v1.12/version');
  assert.equal(low.status, 400);
  assert.match(low.json<{ message: string }>().message, /client version 1.12 is too old/);
});

test('unknown routes and wrong methods are 404 page not found', async () => {
  for (const [method, p] of [['GET', '/nope'], ['DELETE', '/version'], ['POST', '/_ping'], ['GET', '/v1.41/nope/deeper']]) {
    const res = await berth.request(method, p);
    assert.equal(res.status, 404, `${method} ${p}`);
    assert.deepEqual(res.json(), { message: 'page not found' });
  }
});

test('malformed JSON bodies are a 400 with a message', async () => {
  for (const body of ['{bad', '[1,2]', '{"Name": 5}', '{"Labels": "x"}', 'null x']) {
    const res = await berth.request('POST', '/volumes/create', body, { 'Content-Type': 'application/json' });
    assert.equal(res.status, 400, body);
    assert.ok(res.json<{ message: string }>().message.length > 0);
  }
  const wrongType = await berth.request('POST', '/volumes/create', 'Name=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(wrongType.status, 400);
  assert.match(wrongType.json<{ message: string }>().message, /must be 'application\/json'/);
});

test('oversized bodies are rejected', async () => {
  const huge = JSON.stringify({ Name: 'big', Labels: { x: 'y'.repeat(5 * 1024 * 1024) } });
  // The gateway answers 413 as soon as the limit is crossed and closes the
  // connection; a client still writing may see the reset instead of the answer.
  try {
    const res = await berth.request('POST', '/volumes/create', huge, { 'Content-Type': 'application/json' });
    assert.equal(res.status, 413);
    assert.ok(res.json<{ message: string }>().message);
  } catch (err) {
    assert.match((err as NodeJS.ErrnoException).code ?? '', /^(EPIPE|ECONNRESET)$/, String(err));
  }
  const ls = await berth.docker(['volume', 'ls', '-q']);
  assert.doesNotMatch(ls.stdout, /^big$/m);
});

test('swarm routes answer 503 and plugins an empty list', async () => {
  const swarm = await berth.request('GET', '/swarm');
  assert.equal(swarm.status, 503);
  assert.match(swarm.json<{ message: string }>().message, /not a swarm manager/);
  const nodes = await berth.docker(['node', 'ls']);
  assert.notEqual(nodes.code, 0);
  assert.match(nodes.stderr, /not a swarm manager/);
  const plugins = await berth.request('GET', '/plugins');
  assert.deepEqual(plugins.json(), []);
});
