import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AUTH_CONFIG, CONTAINER_CREATE, CONTAINER_UPDATE, EXEC_CREATE, EXEC_START, GoType, NETWORK_CONNECT, NETWORK_DISCONNECT, VOLUME_CREATE, decodeGoJson,
} from '@berth/engine-api';
import { fakeApp } from '../testing/fake-app';
import { parseStartBody } from '../hijack/exec.hijack';

/**
 * Random type mutations of valid bodies and queries, sent to every route that
 * decodes one (deterministic seed). Whatever the mutation: never a 500, the
 * error is dockerd's {"message"}, and what reaches a backend is exactly typed
 * (decoding it again as the Go struct changes nothing).
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD: unknown[] = [0, 5, -1, 1.5, 1e30, 2 ** 64, 'lots', '', 'true', true, false, null, [], [1], ['x'], [null], {}, { a: 1 }, { a: 'b' },
  JSON.parse('{"__proto__":"x"}'), JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: 1 } }];

function pick<T>(list: readonly T[], next: () => number): T {
  return list[Math.floor(next() * list.length)]!;
}

/** One value somewhere in `value` replaced by an odd one, or a field name's case changed. */
function mutate(value: unknown, next: () => number): unknown {
  if (value === null || typeof value !== 'object') return pick(ODD, next);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0 || next() < 0.1) return pick(ODD, next);
  const k = pick(keys, next);
  const target = copy as Record<string, unknown>;
  const r = next();
  if (r < 0.15 && !Array.isArray(copy)) {
    const v = target[k];
    delete target[k];
    target[next() < 0.5 ? k.toLowerCase() : k.toUpperCase()] = v;
  } else if (r < 0.55) {
    target[k] = mutate(target[k], next);
  } else {
    Object.defineProperty(target, k, { value: pick(ODD, next), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const CREATE_BODY = {
  Image: 'busybox', Cmd: ['sh', '-c', 'true'], Entrypoint: 'sh', Env: ['A=1'], Labels: { a: 'b' }, Tty: false, ExposedPorts: { '80/tcp': {} },
  Volumes: { '/v': {} }, StopTimeout: 3, Healthcheck: { Test: ['CMD', 'true'], Interval: 1000000000, Retries: 2 },
  HostConfig: {
    Memory: 8388608, NetworkMode: 'bridge', Binds: ['/a:/b:ro'], RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, ConsoleSize: [24, 80],
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }], CapAdd: ['NET_ADMIN'],
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } }, Tmpfs: { '/t': '' }, Dns: ['8.8.8.8'], OomKillDisable: false, PidsLimit: 10,
    Mounts: [{ Type: 'volume', Source: 'v', Target: '/m', VolumeOptions: { Labels: { x: 'y' } } }], BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 10 }],
  },
  NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['a'], IPAMConfig: { IPv4Address: '' } } } },
};
const UPDATE_BODY = { Memory: 16777216, CpuShares: 512, PidsLimit: 5, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 }, Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }] };
const EXEC_BODY = { Cmd: ['true'], Env: ['A=1'], Tty: false, AttachStdout: true, DetachKeys: 'ctrl-x', ConsoleSize: [24, 80], User: '', WorkingDir: '/' };
const VOLUME_BODY = { Name: 'v1', Driver: 'local', DriverOpts: { type: 'tmpfs' }, Labels: { a: 'b' } };
const AUTH_BODY = { username: 'u', password: 'p', serveraddress: 'localhost:5000' };
const NETWORK_BODY = {
  Name: 'n1', CheckDuplicate: true, Driver: 'bridge', Internal: false, Attachable: true, EnableIPv4: true, EnableIPv6: false,
  IPAM: { Driver: 'default', Options: { o: 'p' }, Config: [{ Subnet: '10.64.0.0/24', IPRange: '10.64.0.128/25', Gateway: '10.64.0.1', AuxiliaryAddresses: { h: '10.64.0.5' } }] },
  ConfigFrom: { Network: '' }, Options: { 'com.docker.network.driver.mtu': '1400' }, Labels: { a: 'b' },
};
const CONNECT_BODY = { Container: 'c0ffee', EndpointConfig: { IPAMConfig: { IPv4Address: '10.64.0.9' }, Aliases: ['a'], Links: ['b:c'], MacAddress: '02:42:ac:11:00:02', DriverOpts: { k: 'v' }, GwPriority: 1 } };
const DISCONNECT_BODY = { Container: 'c0ffee', Force: true };

/** What a backend received must already be the Go type: decoding it again changes nothing. */
function assertTyped(received: unknown, type: GoType, what: string): void {
  assert.deepEqual(decodeGoJson(received, type), received, `${what}: a backend saw a value of the wrong type`);
}

describe('request bodies and queries under random type mutations', () => {
  let app: NestFastifyApplication;
  const seen: { what: string; type: GoType; value: unknown }[] = [];
  before(async () => {
    app = await fakeApp({
      containers: {
        async create(req) {
          seen.push({ what: 'create', type: CONTAINER_CREATE, value: { ...req.config, HostConfig: req.hostConfig, NetworkingConfig: req.networkingConfig } });
          assert.equal(typeof req.name, 'string');
          return { id: 'c0ffee', warnings: [] };
        },
        async update(req) {
          seen.push({ what: 'update', type: CONTAINER_UPDATE, value: JSON.parse(req.updateJson) });
          return { warnings: [] };
        },
        async list(req) {
          assert.equal(typeof req.limit, 'number');
          for (const f of req.filters) assert.ok(f.values.every((v) => typeof v === 'string'));
          return { containers: [] };
        },
        async prune() { return { containersDeleted: [], spaceReclaimed: 0 }; },
        async resize(req) { assert.ok(Number.isInteger(req.height) && Number.isInteger(req.width)); },
        async stop(req) { assert.ok(Number.isInteger(req.timeout)); return { changed: true }; },
      },
      exec: {
        async create(req) {
          seen.push({ what: 'exec', type: EXEC_CREATE, value: JSON.parse(req.configJson) });
          return { id: 'e1' };
        },
        async resize(req) { assert.ok(Number.isInteger(req.height) && Number.isInteger(req.width)); },
      },
      volumes: {
        async create(req) {
          seen.push({ what: 'volume', type: VOLUME_CREATE, value: { Name: req.name, Driver: req.driver, DriverOpts: req.driverOpts, Labels: req.labels } });
          return { name: req.name, driver: 'local', mountpoint: '/x', createdAt: '', labels: req.labels, options: req.driverOpts, scope: 'local', usageData: undefined } as never;
        },
        async list() { return { volumes: [], warnings: [] }; },
        async prune(req) {
          for (const f of req.filters) assert.ok(f.values.every((v) => typeof v === 'string'));
          return { volumesDeleted: [], spaceReclaimed: 0 };
        },
      },
      images: {
        async list(req) {
          for (const f of req.filters) assert.ok(f.values.every((v) => typeof v === 'string'));
          return { images: [] };
        },
        async prune() { return { items: [], spaceReclaimed: 0 }; },
        async search(req) { assert.ok(Number.isInteger(req.limit)); return { results: [] }; },
        async tag(req) { assert.ok(typeof req.repo === 'string' && typeof req.tag === 'string'); },
      },
      networks: {
        async create(req) {
          for (const v of [req.name, req.driver, req.ipamDriver, req.scope, req.configFrom]) assert.equal(typeof v, 'string');
          for (const c of req.ipamConfig) for (const v of [c.subnet, c.ipRange, c.gateway]) assert.equal(typeof v, 'string');
          return { id: 'n1', warning: '' };
        },
        async connect(req) {
          seen.push({ what: 'connect', type: NETWORK_CONNECT, value: { Container: req.container, ...(req.endpointConfigJson ? { EndpointConfig: JSON.parse(req.endpointConfigJson) } : {}) } });
        },
        async disconnect(req) {
          seen.push({ what: 'disconnect', type: NETWORK_DISCONNECT, value: { Container: req.container, Force: req.force } });
        },
        async list(req) {
          for (const f of req.filters) assert.ok(f.values.every((v) => typeof v === 'string'));
          return { networks: [] };
        },
        async prune(req) {
          for (const f of req.filters) assert.ok(f.values.every((v) => typeof v === 'string'));
          return { networksDeleted: [] };
        },
        async inspect(req) {
          assert.equal(typeof req.verbose, 'boolean');
          assert.equal(typeof req.scope, 'string');
          throw Object.assign(new Error('5 network x not found'), { code: 5, details: 'network x not found', metadata: {} });
        },
      },
      distribution: {
        async login(req) {
          seen.push({ what: 'auth', type: AUTH_CONFIG, value: { username: req.username, password: req.password, serveraddress: req.serverAddress, identitytoken: req.identityToken } });
          return { status: 'Login Succeeded', identityToken: '' };
        },
      },
    });
  });
  after(async () => {
    await app?.close();
  });

  const ROUTES: { url: string; body: unknown }[] = [
    { url: '/containers/create', body: CREATE_BODY },
    { url: '/containers/c0ffee/update', body: UPDATE_BODY },
    { url: '/containers/c0ffee/exec', body: EXEC_BODY },
    { url: '/volumes/create', body: VOLUME_BODY },
    { url: '/auth', body: AUTH_BODY },
    { url: '/networks/create', body: NETWORK_BODY },
    { url: '/networks/n1/connect', body: CONNECT_BODY },
    { url: '/networks/n1/disconnect', body: DISCONNECT_BODY },
  ];

  test('bodies: no 500, a JSON message on refusal, exact types past the gateway', async () => {
    const next = rng(0xb3a7);
    for (let i = 0; i < 400; i++) {
      const route = ROUTES[i % ROUTES.length]!;
      const body = mutate(route.body, next);
      seen.length = 0;
      const res = await app.inject({ method: 'POST', url: route.url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      const what = `case ${i} ${route.url} ${JSON.stringify(body)}`;
      assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body}`);
      // An answer without a body (connect, disconnect: 200 and nothing, as dockerd) has no type.
      if (res.body !== '') assert.equal(res.headers['content-type'], 'application/json', what);
      if (res.statusCode >= 400) {
        const msg = (JSON.parse(res.body) as { message?: unknown }).message;
        assert.equal(typeof msg, 'string', what);
        assert.doesNotMatch(String(msg), /is not a function|Cannot read|undefined|\[object Object\]/, what);
      }
      for (const s of seen) assertTyped(s.value, s.type, `${what} (${s.what})`);
      assert.equal(({} as Record<string, unknown>).polluted, undefined, `${what}: Object.prototype polluted`);
    }
  });

  test('exec start bodies, through the upgraded path\'s parser', () => {
    const next = rng(0x5747);
    for (let i = 0; i < 100; i++) {
      const body = mutate({ Detach: false, Tty: true, ConsoleSize: [24, 80] }, next);
      try {
        assertTyped(parseStartBody(JSON.stringify(body), 'application/json'), EXEC_START, `case ${i}`);
      } catch (err) {
        assert.equal((err as { statusCode?: number }).statusCode, 400, `case ${i} ${JSON.stringify(body)}: ${String(err)}`);
      }
    }
  });

  test('queries: filters, integers and flags of any shape are 400 or understood', async () => {
    const next = rng(0x9e17);
    const values = ['', '1', '-1', 'abc', '0x10', '1e3', ' 5', '%7Bbad', '5', '%5B1%5D', '%7B%22label%22%3A5%7D', '%7B%22label%22%3A%7B%22a%22%3A%22yes%22%7D%7D', 'null', '%7B%7D'];
    const urls = [
      (v: string) => `/containers/json?all=${v}&limit=${v}&filters=${v}`,
      (v: string) => `/containers/json?limit=1&limit=${v}&size=${v}`,
      (v: string) => `/containers/prune?filters=${v}`,
      (v: string) => `/volumes?filters=${v}`,
      (v: string) => `/containers/c0ffee/resize?h=${v}&w=${v}`,
      (v: string) => `/containers/c0ffee/stop?t=${v}`,
      (v: string) => `/containers/create?name=a&name=${v}&platform=${v}`,
      (v: string) => `/images/json?filters=${v}&all=${v}&filter=${v}`,
      (v: string) => `/images/prune?filters=${v}`,
      (v: string) => `/volumes/prune?filters=${v}`,
      (v: string) => `/images/search?term=x&limit=${v}&filters=${v}`,
      (v: string) => `/images/busybox/tag?repo=${v}&repo=b&tag=${v}&tag=c`,
      (v: string) => `/exec/e1/resize?h=${v}&w=${v}`,
      (v: string) => `/networks?filters=${v}`,
      (v: string) => `/networks/prune?filters=${v}`,
      (v: string) => `/networks/n1?verbose=${v}&scope=${v}`,
    ];
    for (let i = 0; i < 300; i++) {
      const url = pick(urls, next)(pick(values, next));
      const method = /^\/(containers\/json|volumes\?|images\/(json|search)|networks\?|networks\/n1\?)/.test(url) ? 'GET' : 'POST';
      const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: method === 'POST' ? JSON.stringify(CREATE_BODY) : undefined });
      assert.ok(res.statusCode < 500, `${method} ${url} → ${res.statusCode} ${res.body}`);
      if (res.statusCode >= 400) assert.equal(typeof (JSON.parse(res.body) as { message?: unknown }).message, 'string', url);
    }
  });
});
