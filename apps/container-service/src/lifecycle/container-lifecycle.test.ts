import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { lifecycleRig, restartService, until } from './lifecycle-fakes';

const createFailed = 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: ';
const notFound = 'unable to start container process: exec: "nosuch": executable file not found in $PATH';

describe('start failure and its undo', () => {
  test('create refused: what was set up is torn down in reverse, exit code 127 and the wording kept', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add();
    rig.runtime.failCreate = notFound;
    await assert.rejects(rig.lifecycle.start(id), (err: Error & { code: number }) => {
      assert.equal(err.message, `${createFailed}${notFound}: unknown`);
      assert.equal(err.code, status.INVALID_ARGUMENT);
      return true;
    });
    assert.deepEqual(rig.steps, [
      'rootfs.acquire', 'network.attach', 'volumes.mountAll', 'runtime.create',
      'volumes.unmountAll', 'network.detach', 'rootfs.release',
    ]);
    const state = rig.store.get(id)!.record.State;
    assert.equal(state.Status, 'created');
    assert.equal(state.ExitCode, 127);
    assert.equal(state.Error, `${createFailed}${notFound}: unknown`);
    assert.equal(rig.rootfs.holds.size, 0);
    assert.equal(rig.network.attached.size, 0);
    assert.deepEqual(rig.actions(), []);
    assert.deepEqual(rig.observed, []);
  });

  test('permission denied is 126; a start that fails after create also deletes the runtime state (128)', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const a = rig.add();
    rig.runtime.failCreate = 'unable to start container process: exec: "/etc": permission denied';
    await assert.rejects(rig.lifecycle.start(a));
    assert.equal(rig.store.get(a)!.record.State.ExitCode, 126);

    rig.runtime.failCreate = undefined;
    rig.runtime.failStart = new Error('cannot start a container that has stopped');
    const b = rig.add();
    rig.steps.length = 0;
    await assert.rejects(rig.lifecycle.start(b), { message: 'cannot start a container that has stopped' });
    assert.deepEqual(rig.steps, [
      'rootfs.acquire', 'network.attach', 'volumes.mountAll', 'runtime.create', 'attach.connectWaiting', 'runtime.start',
      'runtime.delete', 'volumes.unmountAll', 'network.detach', 'rootfs.release',
    ]);
    assert.equal(rig.store.get(b)!.record.State.ExitCode, 128);
    assert.equal(rig.status(b), 'created');
  });

  test('a network that cannot attach: the overlay taken meanwhile is released', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add();
    rig.network.failAttach = new Error('no such network');
    await assert.rejects(rig.lifecycle.start(id), { message: 'no such network' });
    assert.deepEqual(rig.steps, ['rootfs.acquire', 'network.attach', 'rootfs.release']);
    assert.equal(rig.store.get(id)!.record.State.ExitCode, 128);
  });

  test('an unknown user fails the start before anything runs', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ Config: { User: 'nobody2' } });
    await assert.rejects(rig.lifecycle.start(id), {
      message: `${createFailed}unable to start container process: unable to find user nobody2: no matching entries in passwd file: unknown`,
    });
    assert.ok(!rig.steps.includes('runtime.create'));
    assert.deepEqual(rig.steps.slice(-2), ['network.detach', 'rootfs.release']);
  });
});

describe('AutoRemove', () => {
  test('a failed start removes the container, its anonymous volumes with it', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { AutoRemove: true } });
    rig.runtime.failCreate = notFound;
    await assert.rejects(rig.lifecycle.start(id), { message: `${createFailed}${notFound}: unknown` });
    assert.equal(rig.store.get(id), undefined);
    assert.ok(rig.steps.includes('volumes.unlink true'));
    assert.deepEqual(rig.actions(), ['destroy']);
  });

  test('an exit removes the container; wait(removed) learns the exit code', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { AutoRemove: true } });
    await rig.lifecycle.start(id);
    const removed = rig.lifecycle.wait(id, 'removed');
    rig.runtime.exit(id, 3);
    assert.deepEqual(await removed, { statusCode: 3, error: '' });
    assert.equal(rig.store.get(id), undefined);
    assert.deepEqual(rig.actions(), ['start', 'die', 'destroy']);
    assert.equal(rig.rootfs.holds.size, 0);
  });
});

describe('restart policy', () => {
  test('an exit restarts after 100 ms, then 200 ms; a run of 10 s resets the backoff', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } });
    await rig.lifecycle.start(id);
    const gaps: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const exitAt = Date.now();
      rig.runtime.exit(id, 1);
      await until(() => rig.store.get(id)!.record.RestartCount === n && rig.status(id) === 'running');
      gaps.push(rig.runtime.createdAt[n] - exitAt);
    }
    assert.ok(gaps[0] >= 95, `first restart after ${gaps[0]} ms`);
    assert.ok(gaps[1] >= 195, `second restart after ${gaps[1]} ms`);
    assert.ok(gaps[2] >= 395, `third restart after ${gaps[2]} ms`);
    // Ran 11 s (as far as the record says): back to 100 ms rather than 800.
    rig.store.update(id, (r) => ({ ...r, State: { ...r.State, StartedAt: new Date(Date.now() - 11_000).toISOString() } }));
    const exitAt = Date.now();
    rig.runtime.exit(id, 1);
    await until(() => rig.store.get(id)!.record.RestartCount === 4 && rig.status(id) === 'running');
    assert.ok(rig.runtime.createdAt[4] - exitAt < 600, `restart after a long run took ${rig.runtime.createdAt[4] - exitAt} ms`);
    assert.equal(rig.actions().filter((a) => a === 'die').length, 4);
  });

  test('stop prevents the restart', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } });
    await rig.lifecycle.start(id);
    assert.equal(await rig.lifecycle.stop(id, 5, ''), true);
    assert.equal(rig.status(id), 'exited');
    assert.equal(rig.store.get(id)!.record.State.ExitCode, 143);
    await sleep(250);
    assert.equal(rig.status(id), 'exited');
    assert.equal(rig.runtime.createdAt.length, 1);
    assert.deepEqual(rig.actions(), ['start', 'kill', 'die', 'stop']);
    assert.equal(await rig.lifecycle.stop(id, 5, ''), false);
  });

  test('kill prevents the restart', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } } });
    await rig.lifecycle.start(id);
    await rig.lifecycle.kill(id, '');
    await until(() => rig.status(id) === 'exited');
    await sleep(250);
    assert.equal(rig.status(id), 'exited');
    assert.equal(rig.runtime.createdAt.length, 1);
    assert.equal(rig.store.get(id)!.record.State.ExitCode, 137);
    assert.equal((rig.store.get(id)!.record as unknown as { ManuallyStopped?: boolean }).ManuallyStopped, true);
    await assert.rejects(rig.lifecycle.kill(id, ''), { message: `Cannot kill container: ${id}: Container ${id} is not running` });
  });

  test('stop while the restart waits out its backoff cancels it', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add({ HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 } } });
    await rig.lifecycle.start(id);
    rig.runtime.exit(id, 2);
    await until(() => rig.status(id) === 'restarting');
    assert.equal(await rig.lifecycle.stop(id, 5, ''), true);
    assert.equal(rig.status(id), 'exited');
    await sleep(250);
    assert.equal(rig.runtime.createdAt.length, 1);
  });
});

describe('stop and kill wait for the exit', () => {
  test('a process that ignores SIGTERM gets SIGKILL; stop returns with everything torn down', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add();
    await rig.lifecycle.start(id);
    rig.runtime.ignored.add(15);
    assert.equal(await rig.lifecycle.stop(id, 0, ''), true);
    const state = rig.store.get(id)!.record.State;
    assert.equal(state.Status, 'exited');
    assert.equal(state.ExitCode, 137);
    assert.ok(rig.steps.indexOf('runtime.kill 15') < rig.steps.indexOf('runtime.kill 9'));
    assert.equal(rig.network.attached.size, 0);
    assert.equal(rig.rootfs.holds.size, 0);
    assert.deepEqual(rig.observed, [`started ${id}`, `stopped ${id}`]);
    assert.deepEqual(rig.actions(), ['start', 'kill', 'kill', 'die', 'stop']);
  });

  test('rm -f kills, waits for the exit handling, then removes', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const id = rig.add();
    await rig.lifecycle.start(id);
    await assert.rejects(rig.lifecycle.remove(id, false, false), {
      message: `cannot remove container "/${rig.store.get(id)!.record.Name}": container is running: stop the container before removing or force remove`,
    });
    await rig.lifecycle.remove(id, true, false);
    assert.equal(rig.store.get(id), undefined);
    const order = ['runtime.kill 9', 'network.detach', 'rootfs.forget', 'volumes.unlink false'].map((s) => rig.steps.indexOf(s));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(order[0] >= 0);
    assert.deepEqual(rig.actions(), ['start', 'kill', 'die', 'destroy']);
  });
});

describe('restore after a restart of this service', () => {
  test('running containers are watched again or get their exit handled; policies bring stopped ones back', async (t) => {
    const rig = lifecycleRig();
    t.after(() => rig.close());
    const live = rig.add();
    const died = rig.add();
    await rig.lifecycle.start(live);
    await rig.lifecycle.start(died);
    const past = new Date(Date.now() - 60_000).toISOString();
    const always = rig.add({ HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }, State: { Status: 'exited', StartedAt: past, ExitCode: 0 } });
    const stopped = rig.add({ HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } }, State: { Status: 'exited', StartedAt: past, ExitCode: 0 } });
    rig.store.update(stopped, (r) => ({ ...r, ManuallyStopped: true }) as typeof r);

    restartService(rig);
    // While the service was down, `died` exited with 3 and its conmon went away.
    rig.runtime.exit(died, 3);
    rig.runtime.alive.delete(died);
    rig.steps.length = 0;
    rig.events.length = 0;
    await rig.lifecycle.restore();

    assert.equal(rig.status(live), 'running');
    assert.ok(rig.steps.includes('rootfs.adopt'));
    assert.ok(rig.observed.includes(`restored ${live}`));
    assert.equal(rig.status(died), 'exited');
    assert.equal(rig.store.get(died)!.record.State.ExitCode, 3);
    assert.equal(rig.status(always), 'running');
    assert.equal(rig.status(stopped), 'exited');
    assert.deepEqual(rig.actions(), ['die', 'start']);

    // The watch taken up again sees the exit.
    rig.runtime.exit(live, 0);
    await until(() => rig.status(live) === 'exited');
    assert.equal(rig.network.attached.has(live), false);
  });
});
