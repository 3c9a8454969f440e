import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { Berth, HostWatch, rssOf, startBerthWithBusybox, watchHost, sharedScratch, cliTraffic } from '../index';

/*
 * Issue 9, the memory-DoS findings on streams: `GET /events?since=` over a
 * full events stream, followers that never read, and stdin pushed into a
 * process that never reads (exec -i, run -i, attach). Each attack must leave
 * the gateway and container-service bounded, and the client must feel the
 * backpressure instead of the services absorbing what it sends.
 */

const MB = 1024 * 1024;
const EVENTS = 100_000;

let berth: Berth;
let watch: HostWatch;
const children: ChildProcess[] = [];

before(async () => {
  berth = await startBerthWithBusybox();
  await sleep(1000);
  watch = watchHost(berth, { allow: sharedScratch });
});


after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await berth?.stop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mb = (n: number | undefined) => (n === undefined ? '?' : (n / MB).toFixed(1));

function pidOf(name: 'gateway' | 'container'): number {
  const pid = berth.pids()[name];
  assert.ok(pid, `${name} is running`);
  return pid;
}

/** Samples a process's RSS until stopped: the start, the peak, and (after a settle) the end. */
function rssSampler(pid: number): { start: number; peak(): number; stop(): void } {
  const start = rssOf(pid) ?? 0;
  let peak = start;
  const timer = setInterval(() => { peak = Math.max(peak, rssOf(pid) ?? 0); }, 100);
  return { start, peak: () => Math.max(peak, rssOf(pid) ?? 0), stop: () => clearInterval(timer) };
}

/**
 * The RSS once V8 has had a moment. V8 gives memory back lazily, at
 * collections that a process doing nothing may not run for minutes (seen
 * here: 228 MB after 90 s of pings, 95 MB once the next test's CLI
 * traffic came). A gateway serves requests all along, so keep it as busy as
 * a CLI user would (info and list requests, a few a second) and wait up to
 * 120 s for it to come under `bound`; answer what it is then, and how long
 * that took.
 */
async function settledRss(pid: number, bound: number): Promise<{ rss: number; seconds: number }> {
  const started = Date.now();
  let rss = rssOf(pid) ?? 0;
  while (rss >= bound && Date.now() - started < 120_000) {
    await cliTraffic(berth);
    rss = rssOf(pid) ?? 0;
  }
  return { rss, seconds: (Date.now() - started) / 1000 };
}

/** Commands to Redis in its own protocol (the test package has no Redis client), pipelined. */
async function redisPipeline(commands: string[][]): Promise<void> {
  const url = berth.env.REDIS_URL;
  assert.ok(url.startsWith('unix:'), `REDIS_URL is ${url}`);
  const sock = net.connect(url.replace(/^unix:(\/\/)?/, ''));
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let replies = 0;
  let pending = '';
  const done = new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('-')) reject(new Error(`redis: ${l}`));
        // XADD answers a bulk string ($n then the id): count the headers
        if (l.startsWith('$') || l.startsWith(':') || l.startsWith('+')) replies++;
      }
      if (replies >= commands.length) resolve();
    });
    sock.once('error', reject);
  });
  for (let i = 0; i < commands.length; i += 2000) {
    const part = commands.slice(i, i + 2000).map((args) =>
      `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')).join('');
    if (!sock.write(part)) await new Promise((r) => sock.once('drain', r));
  }
  await done;
  sock.destroy();
}

/** Appends events in the publisher's entry format (libs/events publisher.ts). */
async function fillEvents(n: number, tag: string): Promise<void> {
  for (let done = 0; done < n; done += 10_000) {
    const cmds: string[][] = [];
    for (let i = done; i < Math.min(n, done + 10_000); i++) {
      const timeNano = Date.now() * 1e6;
      const event = {
        Type: 'volume', Action: 'create',
        Actor: { ID: `${tag}-${i}`, Attributes: { driver: 'local', filler: 'x'.repeat(200) } },
        scope: 'local', time: Math.floor(timeNano / 1e9), timeNano,
      };
      cmds.push(['XADD', 'berth:events', 'MAXLEN', '~', String(EVENTS), '*', 'e', JSON.stringify(event)]);
    }
    await redisPipeline(cmds);
  }
}

/** A client that reads /events to the end and counts the events. */
function readEvents(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: berth.socketPath, path, agent: false }, (res) => {
      let lines = 0;
      res.on('data', (d: Buffer) => {
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => resolve(lines));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** A follower that sends its request and never reads; `ended` tells whether the gateway dropped it once we look. */
function silentFollower(path: string): { socket: net.Socket; ended(timeoutMs: number): Promise<boolean> } {
  const socket = net.connect(berth.socketPath);
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
  socket.pause();
  let closed = false;
  socket.on('close', () => { closed = true; });
  return {
    socket,
    async ended(timeoutMs: number): Promise<boolean> {
      socket.on('data', () => undefined);
      socket.resume();
      const deadline = Date.now() + timeoutMs;
      while (!closed && Date.now() < deadline) await sleep(100);
      socket.destroy();
      return closed;
    },
  };
}

async function eventListeners(): Promise<number> {
  const res = await berth.request('GET', '/info');
  return res.json<{ NEventsListener: number }>().NEventsListener;
}

test('GET /events?since= over a full stream stays bounded, and followers that never read are dropped', async () => {
  await fillEvents(EVENTS, 'fill');
  const until = (Date.now() / 1000 + 0.001).toFixed(3);
  await sleep(1500);
  const gateway = rssSampler(pidOf('gateway'));
  const silent = Array.from({ length: 5 }, () => silentFollower('/v1.50/events?since=0'));
  const started = Date.now();
  const counts = await Promise.all(Array.from({ length: 20 }, () => readEvents(`/v1.50/events?since=0&until=${until}`)));
  console.log(`events: 20 readers of ${EVENTS} events took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // every reader got the whole range (the stream may have trimmed a few of the oldest: MAXLEN ~)
  for (const c of counts) assert.ok(c >= EVENTS - 1000 && c <= EVENTS + 1000, `a reader got ${c} events`);
  assert.equal(await eventListeners(), 5, 'the silent followers are still there');
  // the silent followers fall behind the live stream: the gateway must drop them
  await fillEvents(5000, 'live');
  await sleep(3000);
  const peak = gateway.peak();
  gateway.stop();
  const dropped = await Promise.all(silent.map((s) => s.ended(5000)));
  const { rss: end, seconds } = await settledRss(pidOf('gateway'), gateway.start + 50 * MB);
  console.log(`events: gateway RSS start ${mb(gateway.start)} MB, peak ${mb(peak)} MB, after ${mb(end)} MB (settled in ${seconds.toFixed(0)} s)`);
  assert.deepEqual(dropped, silent.map(() => true), 'every follower that never read was dropped');
  assert.equal(await eventListeners(), 0);
  assert.ok(peak - gateway.start < 200 * MB, `gateway peak grew by ${mb(peak - gateway.start)} MB`);
  assert.ok(end - gateway.start < 50 * MB, `gateway stayed ${mb(end - gateway.start)} MB above its start`);
});

/**
 * Pushes up to `total` bytes into a CLI's stdin for `windowMs`; resolves
 * with how much the pipe took. A pipeline with backpressure stalls early.
 */
async function push(child: ChildProcess, total: number, windowMs: number): Promise<number> {
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  const chunk = Buffer.alloc(MB, 'a');
  const deadline = Date.now() + windowMs;
  let sent = 0;
  while (sent < total && Date.now() < deadline && child.exitCode === null) {
    sent += chunk.length;
    if (!stdin.write(chunk)) {
      const drained = await Promise.race([
        new Promise<boolean>((r) => stdin.once('drain', () => r(true))),
        sleep(Math.max(0, deadline - Date.now())).then(() => false),
      ]);
      if (!drained) break;
    }
  }
  return sent;
}

interface StdinAttack { sent: number; gateway: [number, number, number]; container: [number, number, number] }

/** Runs `cli` against a process that never reads its stdin, pushing 300 MB, with both services sampled. */
async function stdinAttack(label: string, cli: string[], ready: () => Promise<void>): Promise<StdinAttack> {
  const gw = rssSampler(pidOf('gateway'));
  const cs = rssSampler(pidOf('container'));
  const child = berth.spawnDocker(cli);
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await ready();
  const sent = await push(child, 300 * MB, 30_000);
  const gwPeak = gw.peak();
  const csPeak = cs.peak();
  gw.stop();
  cs.stop();
  child.kill('SIGKILL');
  await sleep(3000);
  const r: StdinAttack = {
    sent,
    gateway: [gw.start, gwPeak, rssOf(pidOf('gateway')) ?? 0],
    container: [cs.start, csPeak, rssOf(pidOf('container')) ?? 0],
  };
  console.log(`${label}: pushed ${mb(sent)} MB; gateway RSS ${r.gateway.map(mb).join('/')} MB, container-service ${r.container.map(mb).join('/')} MB (start/peak/after)${stderr ? `; cli: ${stderr.trim()}` : ''}`);
  return r;
}

function assertBounded(r: StdinAttack): void {
  assert.ok(r.sent < 64 * MB, `the writer saw no backpressure: ${mb(r.sent)} MB went in`);
  assert.ok(r.gateway[1] - r.gateway[0] < 50 * MB, `gateway grew by ${mb(r.gateway[1] - r.gateway[0])} MB`);
  assert.ok(r.container[1] - r.container[0] < 50 * MB, `container-service grew by ${mb(r.container[1] - r.container[0])} MB`);
}

async function waitRunning(name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await berth.docker(['inspect', '-f', '{{.State.Running}}', name]);
    if (res.stdout.trim() === 'true') return;
    await sleep(100);
  }
  assert.fail(`${name} did not start`);
}

test('stdin pushed into `docker exec -i` of a process that never reads is held back', async () => {
  assert.equal((await berth.docker(['run', '-d', '--name', 'sink-exec', 'busybox', 'sleep', '1000'])).code, 0);
  const r = await stdinAttack('exec -i', ['exec', '-i', 'sink-exec', 'sleep', '1000'], () => sleep(1000));
  await berth.docker(['rm', '-f', 'sink-exec']);
  assertBounded(r);
});

test('stdin pushed into `docker run -i` of a process that never reads is held back', async () => {
  const r = await stdinAttack('run -i', ['run', '-i', '--name', 'sink-run', 'busybox', 'sleep', '1000'], () => waitRunning('sink-run'));
  await berth.docker(['rm', '-f', 'sink-run']);
  assertBounded(r);
});

test('stdin pushed into `docker attach` of a process that never reads is held back', async () => {
  assert.equal((await berth.docker(['run', '-d', '-i', '--name', 'sink-attach', 'busybox', 'sleep', '1000'])).code, 0);
  const r = await stdinAttack('attach', ['attach', 'sink-attach'], () => sleep(1000));
  await berth.docker(['rm', '-f', 'sink-attach']);
  assertBounded(r);
});

test('stdin still flows: echo hi | docker run -i --rm busybox cat', async () => {
  const res = await berth.docker(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n' });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, 'hi\n');
  const big = Buffer.alloc(8 * MB, 'b');
  const wc = await berth.docker(['run', '-i', '--rm', 'busybox', 'wc', '-c'], { input: big });
  assert.equal(wc.stdout.trim(), String(big.length));
});

test('after the attacks: no host entries or mounts appeared, no service kept more than 50 MB', async () => {
  await sleep(3000);
  const changes = await watch.settledChanges();
  console.log(`rss growth (MB): ${Object.entries(changes.rssGrowth).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
  assert.deepEqual(changes.newEntries, []);
  assert.deepEqual(changes.newMounts, []);
  for (const [name, growth] of Object.entries(changes.rssGrowth)) assert.ok(growth! <= 50 * MB, `${name} grew by ${mb(growth)} MB`);
});
