// Debian's docker-compose 1.29 (docker-py underneath) against Berth: a project
// of two services on the project's default network, one publishing a port on
// 127.0.0.1 and serving a named volume, the other reaching it by service name;
// then `--scale web=2` answered by both under the one name, and `down -v`.
// Compose's own calls are the spec: what it needs from the Engine API is what
// it gets from dockerd (checked by hand against dockerd 20.10).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Berth, startBerthWithBusybox, dockerOk, dockerEnv } from '../index';

const COMPOSE_BIN = process.env.BERTH_TEST_COMPOSE || '/usr/bin/docker-compose';

/**
 * `web` writes its hostname to the log and serves /www (the named volume) with
 * busybox httpd; a CGI script on the volume answers with the hostname of the
 * container that ran it, so a request tells which replica served it. `client`
 * only waits; both stop at once on SIGTERM (no 10 s grace).
 */
const COMPOSE_FILE = `version: "3"
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "echo web-started $$(hostname); exec busybox httpd -f -p 80 -h /www"]
    stop_grace_period: 1s
    ports:
      - "\${WEB_PUBLISH}"
    volumes:
      - www:/www
  client:
    image: busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; echo client-ready; sleep 3600 & wait"]
    stop_grace_period: 1s
volumes:
  www: {}
`;

/** Written by `exec` into the volume: the CGI script that tells which replica answered. */
const SEED_VOLUME = String.raw`mkdir -p /www/cgi-bin && echo hello-compose > /www/index.html && printf '#!/bin/sh\necho Content-Type: text/plain\necho\nhostname\n' > /www/cgi-bin/who && chmod +x /www/cgi-bin/who`;

/** One `docker-compose exec` with a request inside: a second or two, more on a loaded host; a stale neighbour entry stalls it 30-75 s. */
const PROMPT_MS = 15_000;

let berth: Berth;
let dir: string;
const project = `nete2e${crypto.randomBytes(3).toString('hex')}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * docker-compose in the project directory, DOCKER_HOST on this Berth.
 * COMPOSE_API_VERSION=1.41: unpinned, docker-py takes the server's newest API
 * version, and from 1.45 on image inspect has no ContainerConfig, which Compose
 * 1.29 reads when it recreates a container (KeyError: 'ContainerConfig', the
 * same against dockerd 25 and later). 1.41 is what Debian's dockerd 20.10 beside
 * this Compose speaks, and docker-py 5's own default.
 */
function compose(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(COMPOSE_BIN, ['--ansi', 'never', '-p', project, ...args], {
      cwd: dir,
      env: dockerEnv({ host: berth.dockerHost, configDir: berth.dockerConfig }, { COMPOSE_HTTP_TIMEOUT: '120', COMPOSE_API_VERSION: '1.41', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

async function composeOk(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await compose(args, env);
  assert.equal(r.code, 0, `docker-compose ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A host port of the brief's range (45000-45999) that nothing listens on now. */
function freeHostPort(): number {
  const listening = spawnSync('ss', ['-Htln'], { encoding: 'utf8' }).stdout ?? '';
  for (;;) {
    const port = 45000 + crypto.randomInt(0, 1000);
    if (!new RegExp(`:${port}\\s`).test(listening)) return port;
  }
}

/**
 * GET through curl: busybox httpd passes a CGI's bare-LF headers through,
 * which curl reads as browsers do and Node's strict HTTP parser refuses.
 */
function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', url], { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl ${url}: ${stderr.trim() || err.message}`));
      const cut = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) });
    });
  });
}

/** The IPv4 answers of busybox nslookup (the server's own address line has a port). */
function answers(nslookup: string): string[] {
  const afterName = nslookup.split(/^Name:/m).slice(1).join('\n');
  return [...afterName.matchAll(/^Address(?: \d+)?:\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]).sort();
}

before(async () => {
  const version = spawnSync(COMPOSE_BIN, ['version', '--short'], { encoding: 'utf8' });
  assert.equal(version.status, 0, `${COMPOSE_BIN} is missing (scripts/setup.sh installs Debian's docker-compose)`);
  berth = await startBerthWithBusybox();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-compose-'));
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), COMPOSE_FILE);
});

after(async () => {
  // Whatever a failed test left: the project's containers, network and volume.
  if (berth && dir) await compose(['down', '-v', '-t', '1'], { WEB_PUBLISH: '80' }).catch(() => undefined);
  await berth?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('docker-compose 1.29', () => {
  const port = freeHostPort();
  const published = { WEB_PUBLISH: `127.0.0.1:${port}:80` };
  // Scaled, each replica gets an ephemeral host port on 127.0.0.1.
  const ephemeral = { WEB_PUBLISH: '127.0.0.1::80' };

  test('up -d creates the network, the volume and both services; ps shows them up with the port', async () => {
    const out = await compose(['up', '-d'], published);
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    assert.match(out.stderr, new RegExp(`Creating network "${project}_default" with the default driver`));
    assert.match(out.stderr, new RegExp(`Creating volume "${project}_www" with default driver`));

    const ps = await composeOk(['ps'], published);
    assert.match(ps, new RegExp(`^${project}_web_1\\s+.*\\bUp\\s+127\\.0\\.0\\.1:${port}->80/tcp`, 'm'), ps);
    assert.match(ps, new RegExp(`^${project}_client_1\\s+.*\\bUp\\b`, 'm'), ps);

    const nets = await dockerOk(berth, ['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
    assert.match(nets, new RegExp(`^${project}_default bridge$`, 'm'));
    const net = JSON.parse(await dockerOk(berth, ['network', 'inspect', `${project}_default`]))[0];
    assert.equal(net.Labels['com.docker.compose.project'], project);
    assert.equal(Object.keys(net.Containers ?? {}).length, 2);
    assert.match(await dockerOk(berth, ['volume', 'ls', '--format', '{{.Name}}']), new RegExp(`^${project}_www$`, 'm'));
  });

  test('exec writes the index into the volume; client fetches it from web by service name; the host through the port', async () => {
    await composeOk(['exec', '-T', 'web', 'sh', '-c', SEED_VOLUME], published);
    assert.equal(await composeOk(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/'], published), 'hello-compose\n');
    // And the other way: the publishing service reaches the other by its service name.
    assert.match(await composeOk(['exec', '-T', 'web', 'ping', '-c', '1', '-W', '2', 'client'], published), /1 packets received/);
    const fromHost = await httpGet(`http://127.0.0.1:${port}/`);
    assert.deepEqual(fromHost, { status: 200, body: 'hello-compose\n' });
    const webHost = (await composeOk(['exec', '-T', 'web', 'hostname'], published)).trim();
    assert.equal((await httpGet(`http://127.0.0.1:${port}/cgi-bin/who`)).body.trim(), webHost);
  });

  test('logs shows what each service wrote', async () => {
    const logs = await composeOk(['logs', '--no-color'], published);
    assert.match(logs, new RegExp(`^web_1\\s+\\| web-started \\w+`, 'm'), logs);
    assert.match(logs, /^client_1\s+\| client-ready$/m, logs);
  });

  test('up -d --scale web=2: both replicas answer under the name web', async () => {
    const out = await compose(['up', '-d', '--scale', 'web=2'], ephemeral);
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    const ps = await composeOk(['ps'], ephemeral);
    for (const n of [1, 2]) assert.match(ps, new RegExp(`^${project}_web_${n}\\s+.*\\bUp\\s+127\\.0\\.0\\.1:\\d+->80/tcp`, 'm'), ps);

    const hostnames = new Map<string, string>(); // IP -> hostname
    for (const n of [1, 2]) {
      const c = JSON.parse(await dockerOk(berth, ['inspect', `${project}_web_${n}`]))[0];
      const ep = c.NetworkSettings.Networks[`${project}_default`];
      assert.ok(ep, `${project}_web_${n} is on ${project}_default`);
      hostnames.set(ep.IPAddress, c.Config.Hostname);
      // Each replica through its own ephemeral port on 127.0.0.1.
      const hostPort = (await composeOk(['port', `--index=${n}`, 'web', '80'], ephemeral)).trim();
      assert.match(hostPort, /^127\.0\.0\.1:\d+$/);
      assert.equal((await httpGet(`http://${hostPort}/cgi-bin/who`)).body.trim(), c.Config.Hostname);
    }

    // The volume outlived the recreation of web, and the client, which talked to
    // the old web_1 a moment ago, reaches the new replicas at once: a recreated
    // container that gets the old one's address must not be hidden behind the
    // old MAC in its peers' neighbour tables (dockerd 20.10 derives the MAC from
    // the address; 28 sends unsolicited ARP). Stale, that costs up to ~45 s.
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      assert.equal(await composeOk(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/'], ephemeral), 'hello-compose\n');
      const took = Date.now() - started;
      assert.ok(took < PROMPT_MS, `request ${i + 1} by name after the recreate took ${took} ms`);
    }
    const lookup = await composeOk(['exec', '-T', 'client', 'nslookup', 'web'], ephemeral);
    assert.deepEqual(answers(lookup), [...hostnames.keys()].sort(), lookup);

    // Round-robin: asked by name, both replicas serve requests.
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      const started = Date.now();
      seen.add((await composeOk(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/cgi-bin/who'], ephemeral)).trim());
      assert.ok(Date.now() - started < PROMPT_MS, `request by name took ${Date.now() - started} ms`);
    }
    assert.deepEqual([...seen].sort(), [...hostnames.values()].sort());
  });

  test('down -v removes the containers, the network and the named volume', async () => {
    const out = await compose(['down', '-v', '-t', '1'], ephemeral);
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    assert.equal((await dockerOk(berth, ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])).trim(), '');
    assert.equal((await dockerOk(berth, ['ps', '-a', '-q'])).trim(), '');
    assert.doesNotMatch(await dockerOk(berth, ['network', 'ls', '--format', '{{.Name}}']), new RegExp(project));
    assert.doesNotMatch(await dockerOk(berth, ['volume', 'ls', '--format', '{{.Name}}']), new RegExp(project));
    assert.equal((await compose(['ps', '-q'], ephemeral)).stdout.trim(), '');
    // Nothing listens on the published port any more.
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/`));
  });
});
