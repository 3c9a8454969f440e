import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REDIS_ACL_RULES } from '@berth/jobs';

// Whoever reaches a Berth service is root on its node: the deploy files
// must never put one on the network unauthenticated. These checks read the
// Kubernetes manifests and the systemd units as they are shipped.

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const k8sDir = path.join(repoRoot, 'deploy', 'kubernetes');
const systemdDir = path.join(repoRoot, 'deploy', 'systemd');

type Obj = Record<string, any>;

function manifests(): Obj[] {
  const out: Obj[] = [];
  for (const f of fs.readdirSync(k8sDir).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(k8sDir, f), 'utf8'))) {
      assert.equal(doc.errors.length, 0, `${f}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const v = doc.toJS() as Obj | null;
      if (v) out.push({ ...v, __file: f });
    }
  }
  return out;
}

const all = manifests();
const ofKind = (kind: string) => all.filter((m) => m.kind === kind);
const workloads = all.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind));
const configMaps = new Map(ofKind('ConfigMap').map((m) => [m.metadata.name as string, (m.data ?? {}) as Record<string, string>]));
const SERVICES = ['VOLUME', 'IMAGE', 'CONTAINER', 'NETWORK'];

interface EnvValue { value?: string; secret?: boolean }

/** A container's environment as Kubernetes gives it: envFrom ConfigMaps, then env. */
function envOf(c: Obj): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  for (const from of c.envFrom ?? []) {
    const data = configMaps.get(from.configMapRef?.name);
    assert.ok(data, `envFrom names a ConfigMap that is not in the manifests: ${JSON.stringify(from)}`);
    for (const [k, v] of Object.entries(data)) env.set(k, { value: String(v) });
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { secret: true });
    else if (e.valueFrom) env.set(e.name, {});
    else env.set(e.name, { value: String(e.value ?? '') });
  }
  return env;
}

/** Kubernetes expands $(VAR) from earlier variables; the tests only need to know what it names. */
function valueOf(env: Map<string, EnvValue>, key: string): string | undefined {
  return env.get(key)?.value;
}

/** The pod volume a path in this container lives on. */
function volumeAt(pod: Obj, c: Obj, file: string): Obj | undefined {
  const mount = (c.volumeMounts ?? [])
    .filter((m: Obj) => file === m.mountPath || file.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`))
    .sort((a: Obj, b: Obj) => b.mountPath.length - a.mountPath.length)[0];
  return mount ? (pod.volumes ?? []).find((v: Obj) => v.name === mount.name) : undefined;
}

function fromSecret(pod: Obj, c: Obj, file: string | undefined): boolean {
  return file !== undefined && volumeAt(pod, c, file)?.secret !== undefined;
}

function hasGrpcTls(pod: Obj, c: Obj, env: Map<string, EnvValue>): boolean {
  return ['BERTH_GRPC_TLS_CERT', 'BERTH_GRPC_TLS_KEY', 'BERTH_GRPC_TLS_CA'].every((k) => fromSecret(pod, c, valueOf(env, k)))
    && !['1', 'true'].includes(valueOf(env, 'BERTH_GRPC_INSECURE') ?? '');
}

function containers(): { w: Obj; pod: Obj; c: Obj; env: Map<string, EnvValue> }[] {
  return workloads.flatMap((w) => {
    const pod = w.spec.template.spec;
    return [...(pod.initContainers ?? []), ...pod.containers].map((c: Obj) => ({ w, pod, c, env: envOf(c) }));
  });
}

test('the manifests parse and kustomization.yaml lists every one of them', () => {
  const kust = all.find((m) => m.kind === 'Kustomization');
  assert.ok(kust);
  const files = fs.readdirSync(k8sDir).filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml').sort();
  assert.deepEqual([...kust.resources].sort(), files);
});

test('every gRPC address a Berth container uses is a unix socket or has mutual TLS from a Secret; TCP for the Engine API has TLS', () => {
  let tcps = 0;
  for (const { w, pod, c, env } of containers()) {
    for (const s of SERVICES) {
      const addr = valueOf(env, `BERTH_${s}_ADDR`);
      if (addr === undefined || addr.startsWith('unix:')) continue;
      tcps++;
      assert.ok(hasGrpcTls(pod, c, env), `${w.metadata.name}/${c.name}: BERTH_${s}_ADDR=${addr} without BERTH_GRPC_TLS_CERT/KEY/CA from a mounted Secret`);
    }
    // The Engine API is the gateway's to guard: on every address, only with TLS and client certificates.
    const tcp = valueOf(env, 'BERTH_TCP');
    if (tcp !== undefined && tcp !== 'off') {
      assert.ok(['BERTH_TLS_CERT', 'BERTH_TLS_KEY', 'BERTH_TLS_CA'].every((k) => fromSecret(pod, c, valueOf(env, k))), `${w.metadata.name}/${c.name}: BERTH_TCP=${tcp} without TLS and client certificates`);
      assert.ok(!['1', 'true'].includes(valueOf(env, 'BERTH_TCP_INSECURE') ?? ''), `${w.metadata.name}: BERTH_TCP_INSECURE`);
    }
  }
  assert.ok(tcps > 0, 'the services talk over TCP in Kubernetes, so the check above must have had work');
});

test('no Service exposes a gRPC port of a container without mutual TLS', () => {
  for (const svc of ofKind('Service')) {
    const sel = svc.spec.selector as Record<string, string>;
    const targets = workloads.filter((w) => Object.entries(sel).every(([k, v]) => w.spec.template.metadata.labels?.[k] === v));
    assert.ok(targets.length > 0, `Service ${svc.metadata.name} selects nothing in the manifests`);
    for (const w of targets) {
      const pod = w.spec.template.spec;
      for (const p of svc.spec.ports) {
        const c = pod.containers.find((x: Obj) => (x.ports ?? []).some((cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort || cp.containerPort === p.port));
        assert.ok(c, `Service ${svc.metadata.name} port ${p.name} targets no container port`);
        if (!/grpc/.test(p.name)) continue;
        const env = envOf(c);
        assert.ok(hasGrpcTls(pod, c, env), `Service ${svc.metadata.name} exposes ${w.metadata.name}'s gRPC port without mutual TLS`);
      }
    }
  }
});

test('gRPC probes are not used: a kubelet probe has no client certificate', () => {
  for (const { w, c } of containers()) {
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      assert.equal(probe?.grpc, undefined, `${w.metadata.name}/${c.name}: a grpc probe cannot pass mutual TLS`);
    }
  }
});

test('a default-deny NetworkPolicy and allow rules: only callers reach a service, only Berth reaches Redis', () => {
  const policies = ofKind('NetworkPolicy');
  const selectsAll = (p: Obj) => Object.keys(p.spec.podSelector?.matchLabels ?? {}).length === 0 && !p.spec.podSelector?.matchExpressions;
  // Selecting every pod, both directions, and no rule: nothing is allowed but what other policies add.
  const deny = policies.find((p) => selectsAll(p) && p.spec.ingress === undefined && p.spec.egress === undefined);
  assert.ok(deny, 'a default-deny policy: every pod selected, no rules');
  assert.deepEqual([...deny.spec.policyTypes].sort(), ['Egress', 'Ingress']);
  for (const p of policies.filter(selectsAll)) {
    assert.equal(p.spec.ingress, undefined, `${p.metadata.name} selects every pod: it must not let anything in`);
  }

  const nameOf = (sel: Obj | undefined) => sel?.matchLabels?.['app.kubernetes.io/name'] as string | undefined;
  /** Which pods may open connections to `target`, from its ingress rules. */
  const callersOf = (target: string): Set<string> => {
    const out = new Set<string>();
    for (const p of policies.filter((x) => nameOf(x.spec.podSelector) === target)) {
      for (const rule of p.spec.ingress ?? []) {
        assert.ok(rule.from && rule.from.length > 0, `${p.metadata.name}: an ingress rule without "from" lets everyone in`);
        for (const peer of rule.from) {
          assert.equal(peer.ipBlock, undefined, `${p.metadata.name}: ingress by address`);
          const n = nameOf(peer.podSelector);
          assert.ok(n, `${p.metadata.name}: every peer is one named Berth component`);
          out.add(n);
        }
      }
    }
    return out;
  };
  assert.deepEqual([...callersOf('berth-volume')].sort(), ['berth-container', 'berth-gateway']);
  assert.deepEqual([...callersOf('berth-image')].sort(), ['berth-container', 'berth-gateway']);
  assert.deepEqual([...callersOf('berth-container')].sort(), ['berth-gateway']);
  const redisCallers = callersOf('berth-redis');
  assert.ok(redisCallers.size > 0 && [...redisCallers].every((n) => ['berth-gateway', 'berth-image', 'berth-container', 'berth-volume', 'berth-network'].includes(n)), `Redis callers: ${[...redisCallers]}`);
});

test('network-service, on the host network, listens on the node address with mutual TLS, not on every address', () => {
  const w = workloads.find((x) => x.metadata.name === 'berth-network');
  assert.ok(w);
  const pod = w.spec.template.spec;
  assert.equal(pod.hostNetwork, true);
  const c = pod.containers[0];
  const env = envOf(c);
  const addr = valueOf(env, 'BERTH_NETWORK_ADDR') ?? '';
  assert.ok(addr.startsWith('unix:') || hasGrpcTls(pod, c, env), addr);
  assert.ok(!/^(0\.0\.0\.0|\[::\]|::)?:/.test(addr), `BERTH_NETWORK_ADDR=${addr} would listen on every host address`);
});

test('Redis requires a password from a Secret, disables the default user, and is reached over TLS with that password', () => {
  const redis = workloads.find((x) => x.metadata.name === 'berth-redis');
  assert.ok(redis);
  const pod = redis.spec.template.spec;
  const c = pod.containers[0];
  const cmd = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  assert.match(cmd, /user default off/, 'the default (password-less) user is off');
  assert.match(cmd, /--port 0\b/, 'no plaintext port');
  assert.match(cmd, /--tls-port/, 'TLS port');
  const pw = (c.env ?? []).find((e: Obj) => e.valueFrom?.secretKeyRef);
  assert.ok(pw, 'the password comes from a Secret');
  // The rules the Redis tests of @berth/jobs prove enough for events and queues.
  assert.equal((c.env ?? []).find((e: Obj) => e.name === 'BERTH_REDIS_ACL')?.value, REDIS_ACL_RULES);
  for (const { w, pod: p, c: x, env } of containers()) {
    const url = valueOf(env, 'REDIS_URL');
    if (url === undefined) continue;
    assert.ok(!/\/\/[^@/]*:[^@/]+@/.test(url), `${w.metadata.name}: no password in REDIS_URL (ConfigMaps are not secret)`);
    assert.ok(fromSecret(p, x, valueOf(env, 'BERTH_REDIS_PASSWORD_FILE')), `${w.metadata.name}/${x.name}: BERTH_REDIS_PASSWORD_FILE from a Secret`);
    assert.match(url, /^rediss:\/\//, `${w.metadata.name}: Redis leaves the node: TLS`);
    assert.ok(fromSecret(p, x, valueOf(env, 'BERTH_REDIS_TLS_CA')), `${w.metadata.name}/${x.name}: the CA that signed Redis's certificate`);
  }
});

/** systemd unit files: sections of key=value lines (a key may repeat). */
function parseUnit(text: string): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) { section = s[1]; out.set(section, out.get(section) ?? []); continue; }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not key=value: ${line}`);
    out.get(section)!.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return out;
}

const unitValue = (u: Map<string, [string, string][]>, section: string, key: string) => u.get(section)?.filter(([k]) => k === key).map(([, v]) => v) ?? [];

function envFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    out.set(line.slice(0, eq), line.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

test('systemd: the services run on unix sockets under /run/berth with tight modes, nothing on TCP by default', () => {
  const env = envFile(fs.readFileSync(path.join(systemdDir, 'berth.env'), 'utf8'));
  for (const s of SERVICES) {
    const addr = env.get(`BERTH_${s}_ADDR`);
    assert.ok(addr === undefined || addr.startsWith('unix:/run/berth/'), `BERTH_${s}_ADDR=${addr}`);
  }
  assert.equal(env.get('BERTH_TCP'), 'off', 'the Engine API on the unix socket only');
  assert.match(env.get('REDIS_URL') ?? '', /^unix:\/\//, 'Redis on a unix socket');
  assert.ok(env.get('BERTH_REDIS_PASSWORD_FILE'), 'with a password');
  const units = fs.readdirSync(systemdDir).filter((n) => /^berth-.*\.service$/.test(n));
  for (const name of units.filter((n) => n !== 'berth-redis.service')) {
    const u = parseUnit(fs.readFileSync(path.join(systemdDir, name), 'utf8'));
    assert.deepEqual(unitValue(u, 'Service', 'RuntimeDirectory'), ['berth'], name);
    assert.deepEqual(unitValue(u, 'Service', 'RuntimeDirectoryMode'), ['0711'], name);
    // The gateway makes nothing for others; the services make what containers of any user read (as dockerd), and set their sockets' modes themselves.
    assert.deepEqual(unitValue(u, 'Service', 'UMask'), [name === 'berth-gateway.service' ? '0077' : '0022'], name);
    for (const e of unitValue(u, 'Service', 'Environment')) {
      assert.ok(!/_ADDR=(?!unix:)/.test(e) && !/BERTH_TCP=(?!off)/.test(e), `${name}: ${e}`);
    }
    assert.ok(unitValue(u, 'Unit', 'Wants').join(' ').includes('berth-redis.service'), `${name} starts Berth's Redis`);
  }
});

test('systemd: Berth\'s Redis listens on a 0600 unix socket only, with a password and the default user off', () => {
  const u = parseUnit(fs.readFileSync(path.join(systemdDir, 'berth-redis.service'), 'utf8'));
  const start = unitValue(u, 'Service', 'ExecStart').join(' ');
  const conf = fs.readFileSync(path.join(systemdDir, 'berth-redis.conf'), 'utf8');
  const directives = new Map(conf.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const i = l.indexOf(' ');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  }));
  assert.match(start, /berth-redis\.conf/);
  assert.equal(directives.get('port'), '0', 'no TCP');
  assert.match(directives.get('unixsocket') ?? '', /^\/run\//);
  assert.equal(directives.get('unixsocketperm'), '600');
  assert.ok(directives.get('aclfile'), 'users from an ACL file (the default user off)');
  const aclScript = fs.readFileSync(path.join(systemdDir, 'berth-redis-acl.sh'), 'utf8');
  assert.match(aclScript, /user default off/);
  assert.equal(/^rules='([^']*)'$/m.exec(aclScript)?.[1], REDIS_ACL_RULES, 'the rules the Redis tests of @berth/jobs prove enough');
  assert.ok(unitValue(u, 'Service', 'ExecStartPre').some((v) => v.includes('berth-redis-acl.sh')));
  const env = envFile(fs.readFileSync(path.join(systemdDir, 'berth.env'), 'utf8'));
  assert.equal(env.get('REDIS_URL')?.replace(/^unix:\/\//, '').replace(/\?.*$/, ''), directives.get('unixsocket'));
});
