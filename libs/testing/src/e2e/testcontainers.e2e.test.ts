// Testcontainers for Node (npm `testcontainers` 10.x) against Berth, the way a
// project's test suite uses it: Ryuk off (no reaper container), DOCKER_HOST on
// Berth's socket. Its runtime detection reads GET /info, /version and (for the
// host) GET /networks/bridge; then a container with an exposed port and an HTTP
// wait strategy, reached through the mapped port, and a Network of two
// containers reaching each other by alias.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { Berth, startBerthWithBusybox, dockerOk } from '../index';

// Imported once DOCKER_HOST points at this Berth: testcontainers reads its
// environment when first used and keeps the client for the whole process.
type Testcontainers = typeof import('testcontainers');
let tc: Testcontainers;
let berth: Berth;

/** busybox httpd serving one line on `port`, as PID 1 of the container. */
function httpdCommand(body: string, port: number): string[] {
  return ['sh', '-c', `mkdir -p /www && echo ${body} > /www/index.html && exec busybox httpd -f -p ${port} -h /www`];
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

before(async () => {
  berth = await startBerthWithBusybox();
  process.env.DOCKER_HOST = berth.dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  tc = await import('testcontainers');
});

after(async () => {
  await berth?.stop();
});

describe('testcontainers 10', () => {
  test('a GenericContainer with an exposed port and Wait.forHttp, fetched through getMappedPort', async () => {
    const started = await new tc.GenericContainer('busybox:latest')
      .withCommand(httpdCommand('hello-testcontainers', 8080))
      .withExposedPorts(8080)
      .withWaitStrategy(tc.Wait.forHttp('/', 8080).forStatusCode(200))
      .withStartupTimeout(60_000)
      .start();
    try {
      const port = started.getMappedPort(8080);
      assert.ok(port > 0, `mapped port ${port}`);
      const res = await get(`http://${started.getHost()}:${port}/`);
      assert.deepEqual(res, { status: 200, body: 'hello-testcontainers\n' });
      // The same binding as the Engine API reports it.
      const inspect = JSON.parse(await dockerOk(berth, ['inspect', started.getId()]))[0];
      const bindings = inspect.NetworkSettings.Ports['8080/tcp'] as Array<{ HostIp: string; HostPort: string }>;
      assert.ok(bindings.some((b) => Number(b.HostPort) === port), JSON.stringify(bindings));
    } finally {
      await started.stop();
    }
    // stop() removes the container too (Ryuk is off: nothing else would).
    assert.equal((await dockerOk(berth, ['ps', '-a', '-q', '--filter', `id=${started.getId()}`])).trim(), '');
  });

  test('a Network with two containers reaching each other by alias; stop and network removal clean up', async () => {
    const network = await new tc.Network().start();
    const netName = network.getName();
    assert.match(await dockerOk(berth, ['network', 'ls', '--format', '{{.Name}}']), new RegExp(`^${netName}$`, 'm'));
    const server = await new tc.GenericContainer('busybox:latest')
      .withCommand(httpdCommand('hello-by-alias', 8080))
      .withNetwork(network)
      .withNetworkAliases('tc-server')
      .withStartupTimeout(60_000)
      .start();
    const client = await new tc.GenericContainer('busybox:latest')
      .withCommand(['sleep', '600'])
      .withNetwork(network)
      .withNetworkAliases('tc-client')
      .start();
    try {
      const fetched = await client.exec(['wget', '-qO-', 'http://tc-server:8080/']);
      assert.equal(fetched.exitCode, 0, fetched.output);
      assert.equal(fetched.output, 'hello-by-alias\n');
      // And back the other way, by the other alias.
      const ping = await server.exec(['ping', '-c', '1', '-W', '2', 'tc-client']);
      assert.equal(ping.exitCode, 0, ping.output);
      assert.ok(server.getNetworkNames().includes(netName), server.getNetworkNames().join());
      assert.match(server.getIpAddress(netName), /^\d+\.\d+\.\d+\.\d+$/);
    } finally {
      await client.stop();
      await server.stop();
      await network.stop();
    }
    for (const c of [client, server]) {
      assert.equal((await dockerOk(berth, ['ps', '-a', '-q', '--filter', `id=${c.getId()}`])).trim(), '', `${c.getId()} removed`);
    }
    assert.doesNotMatch(await dockerOk(berth, ['network', 'ls', '--format', '{{.Name}}']), new RegExp(`^${netName}$`, 'm'));
  });
});
