import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANONYMOUS, JobKeyFile, JobSecrets, SealError, jobKeyFileOf, loadOrCreateJobKey } from './secrets';
import { openPullJob, openPushJob, sealPullJob, sealPushJob } from './sealed-jobs';
import { parsePullJob, pullJobId } from './payloads';

const key = crypto.randomBytes(32);
const authOf = (o: Record<string, string>) => Buffer.from(JSON.stringify(o)).toString('base64url');
const ALICE = authOf({ username: 'alice', password: 'hunter2-secret', serveraddress: 'reg.example:5000' });
const ALICE_AGAIN = authOf({ serveraddress: 'other-spelling', password: 'hunter2-secret', username: 'alice' });
const BOB = authOf({ username: 'bob', password: 'hunter2-secret' });

test('the envelope round-trips for its job only', () => {
  const s = new JobSecrets(key);
  const sealed = s.seal(ALICE, 'job-1');
  assert.equal(s.open(sealed, 'job-1'), ALICE);
  assert.throws(() => s.open(sealed, 'job-2'), SealError, 'sealed for another job');
  assert.throws(() => new JobSecrets(crypto.randomBytes(32)).open(sealed, 'job-1'), /another key/);
  assert.notEqual(s.seal(ALICE, 'job-1'), sealed, 'a fresh IV each time');
});

test('a tampered envelope does not open', () => {
  const s = new JobSecrets(key);
  const sealed = s.seal(ALICE, 'job-1');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  for (const at of [0, 12, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[at] ^= 1;
    assert.throws(() => s.open(`b1.${bad.toString('base64url')}`, 'job-1'), SealError, `byte ${at}`);
  }
  assert.throws(() => s.open(`b1.${raw.subarray(0, 20).toString('base64url')}`, 'job-1'), SealError);
  assert.throws(() => s.open(`zz.${raw.toString('base64url')}`, 'job-1'), /unknown format/);
});

test('an envelope expires', () => {
  let now = 1_000_000;
  const s = new JobSecrets(key, () => now);
  const sealed = s.seal(ALICE, 'job-1', 60_000);
  now += 59_000;
  assert.equal(s.open(sealed, 'job-1'), ALICE);
  now += 2_000;
  assert.throws(() => s.open(sealed, 'job-1'), /expired/);
});

test('accounts: no credentials are anonymous, the same credentials one account, others another; never the secret itself', () => {
  const s = new JobSecrets(key);
  assert.equal(s.account(undefined), ANONYMOUS);
  assert.equal(s.account(''), ANONYMOUS);
  assert.equal(s.account(authOf({})), ANONYMOUS, 'the CLI sends {} when it has no credentials');
  assert.equal(s.account(authOf({ serveraddress: 'reg' })), ANONYMOUS);
  assert.equal(s.account(ALICE), s.account(ALICE_AGAIN));
  assert.notEqual(s.account(ALICE), s.account(BOB));
  assert.notEqual(s.account(ALICE), s.account(authOf({ username: 'alice', password: 'other' })));
  assert.notEqual(s.account('not base64 json!'), ANONYMOUS, 'an undecodable header is nobody else\'s');
  assert.match(s.account(ALICE), /^[0-9a-f]{32}$/);
  assert.notEqual(s.account(Buffer.from(JSON.stringify({ username: 123, password: 456 })).toString('base64url')), ANONYMOUS, 'credentials of another JSON type are credentials');
  assert.notEqual(new JobSecrets(crypto.randomBytes(32)).account(ALICE), s.account(ALICE), 'keyed: not guessable without the key');
});

test('two requests with different or no credentials get different jobs; the same credentials share one', () => {
  const s = new JobSecrets(key);
  const req = { reference: 'reg.example:5000/private/app:latest', platform: '' };
  const anon = sealPullJob(s, req);
  const alice = sealPullJob(s, { ...req, registryAuth: ALICE });
  const alice2 = sealPullJob(s, { ...req, registryAuth: ALICE_AGAIN });
  const bob = sealPullJob(s, { ...req, registryAuth: BOB });
  assert.equal(alice.id, alice2.id);
  assert.equal(new Set([anon.id, alice.id, bob.id]).size, 3);
  assert.notEqual(sealPushJob(s, { reference: req.reference }).id, sealPushJob(s, { reference: req.reference, registryAuth: ALICE }).id);
  assert.equal(anon.payload.sealedAuth, undefined);
});

test('no plaintext credentials in the job data; the worker gets them back', () => {
  const s = new JobSecrets(key);
  const { id, payload } = sealPullJob(s, { reference: 'r/x:1', platform: 'linux/amd64', registryAuth: ALICE });
  const stored = JSON.stringify(payload);
  assert.doesNotMatch(stored, /hunter2|alice/);
  assert.ok(!stored.includes(ALICE));
  for (const m of stored.matchAll(/[A-Za-z0-9+/_-]{16,}/g)) {
    assert.doesNotMatch(Buffer.from(m[0], 'base64url').toString('latin1'), /hunter2/);
  }
  const back = openPullJob(s, id, parsePullJob(JSON.parse(stored)));
  assert.deepEqual(back, { reference: 'r/x:1', platform: 'linux/amd64', registryAuth: ALICE });
  const push = sealPushJob(s, { reference: 'r/x:1', registryAuth: BOB });
  assert.equal(openPushJob(s, push.id, push.payload).registryAuth, BOB);
});

test('a worker refuses a payload stitched from two jobs', () => {
  const s = new JobSecrets(key);
  const alice = sealPullJob(s, { reference: 'r/x:1', platform: '', registryAuth: ALICE });
  const bob = sealPullJob(s, { reference: 'r/x:1', platform: '', registryAuth: BOB });
  // Bob's envelope in Alice's job.
  assert.throws(() => openPullJob(s, alice.id, { ...alice.payload, sealedAuth: bob.payload.sealedAuth }), SealError);
  // Alice's job, other image.
  assert.throws(() => openPullJob(s, alice.id, { ...alice.payload, reference: 'r/other:1' }), /payload its id names/);
  // An account with its credentials stripped.
  const stripped = { ...alice.payload, sealedAuth: undefined };
  assert.throws(() => openPullJob(s, pullJobId(stripped), stripped), /carries no credentials/);
});

test('the key file: made once, 0600, shared by whoever starts first; loose permissions refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'job-key-'));
  try {
    const file = jobKeyFileOf(dir, {});
    assert.equal(file, path.join(dir, 'job.key'));
    assert.equal(jobKeyFileOf(dir, { BERTH_JOB_KEY_FILE: '/etc/berth/job.key' }), '/etc/berth/job.key');
    const a = loadOrCreateJobKey(file);
    const b = loadOrCreateJobKey(file);
    assert.equal(a.length, 32);
    assert.deepEqual(a, b);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['job.key'], 'no temporary file left');
    fs.chmodSync(file, 0o644);
    assert.throws(() => loadOrCreateJobKey(file), /owner only/);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, 'short');
    assert.throws(() => loadOrCreateJobKey(file), /at least 32/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gateway and worker follow the key file: a key made anew or rotated is picked up by both', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'job-key-'));
  try {
    const file = path.join(dir, 'job.key');
    const gateway = new JobKeyFile(file);
    const worker = new JobKeyFile(file);
    const sealed = gateway.secrets().seal(ALICE, 'job-1');
    assert.equal(worker.secrets().open(sealed, 'job-1'), ALICE);
    assert.equal(gateway.secrets(), gateway.secrets(), 'read once while unchanged');
    fs.rmSync(file);
    const again = worker.secrets().seal(BOB, 'job-2');
    assert.equal(gateway.secrets().open(again, 'job-2'), BOB);
    assert.throws(() => gateway.secrets().open(sealed, 'job-1'), SealError, 'the old key is gone');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
