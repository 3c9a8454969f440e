import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { RestartSchedule } from './restart-schedule';

test("backoff as dockerd's: 100 ms doubling up to a minute, back to 100 ms after a run of 10 s", (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const s = new RestartSchedule();
  const delays: number[] = [];
  for (let i = 0; i < 12; i++) {
    let ran = false;
    const delay = s.schedule('c', 50, () => { ran = true; });
    mock.timers.tick(delay - 1);
    assert.equal(ran, false);
    mock.timers.tick(1);
    assert.equal(ran, true);
    delays.push(delay);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  assert.equal(s.schedule('c', 10_000, () => undefined), 100);
  s.close();
});

test('cancel, forget and close stop a pending restart', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const s = new RestartSchedule();
  let runs = 0;
  s.schedule('a', 0, () => runs++);
  assert.equal(s.cancel('a'), true);
  assert.equal(s.cancel('a'), false);
  s.schedule('a', 0, () => runs++); // 200: the backoff is kept
  s.forget('a');
  assert.equal(s.schedule('a', 0, () => runs++), 100); // forgotten: from the start
  s.close();
  assert.equal(s.closing, true);
  mock.timers.tick(60_000);
  assert.equal(runs, 0);
});

test('the mark that the next exit must not restart is used up once', () => {
  const s = new RestartSchedule();
  s.preventNext('a');
  assert.equal(s.isPrevented('a'), true);
  assert.equal(s.takePrevented('a'), true);
  assert.equal(s.takePrevented('a'), false);
  s.preventNext('a');
  s.allowNext('a');
  assert.equal(s.takePrevented('a'), false);
});
