import type { ContainerRecord } from '../containers/container-record';
import { RpcError } from '@berth/rpc';
import type { KeyedLock } from '@berth/storage';
import { parseSignal } from '../runtime/signals';
import type { ContainerRuntime } from './container-runtime';
import type { ExitSignals } from './exit-signals';
import type { LifecycleRecords } from './lifecycle-records';
import type { RestartSchedule } from './restart-schedule';

function signalOf(raw: string): number {
  try {
    return parseSignal(raw);
  } catch (err) {
    throw RpcError.invalidArgument((err as Error).message);
  }
}

/** Stop, kill, pause and unpause: signals and freezes, the exit itself left to the monitor. */
export class ContainerStateChanges {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly lock: KeyedLock,
    private readonly runtime: ContainerRuntime,
    private readonly restarts: RestartSchedule,
    private readonly exitSignals: ExitSignals,
  ) {}

  /** Sends a signal (the lock is held). A kill, or the stop signal, means the exit must not restart the container. */
  private async signal(r: ContainerRecord, sig: number): Promise<void> {
    const stopSignal = r.Config.StopSignal ? signalOf(r.Config.StopSignal) : undefined;
    if (sig === 9 || stopSignal === undefined || stopSignal === sig) this.restarts.preventNext(r.Id);
    this.records.update(r.Id, (rec) => ({ ...rec, ManuallyStopped: true }));
    this.records.emit('kill', r, { signal: String(sig) });
    await this.runtime.kill(r.Id, sig).catch((err: unknown) => {
      if (r.State.Status !== 'paused') throw RpcError.internal(`Cannot kill container: ${r.Id}: ${(err as Error).message}`);
    });
    // A frozen process cannot act on its signal.
    if (r.State.Status === 'paused' && this.restarts.isPrevented(r.Id)) {
      await this.runtime.resume(r.Id).catch(() => undefined);
    }
  }

  /** False when the container was not running (dockerd's 304). */
  async stop(id: string, timeoutSec: number | undefined, signalName: string): Promise<boolean> {
    const r0 = this.records.get(id);
    const timeout = timeoutSec ?? (typeof r0.Config.StopTimeout === 'number' ? r0.Config.StopTimeout : 10);
    const sig = signalOf(signalName || r0.Config.StopSignal || 'SIGTERM');
    const proceed = await this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status === 'restarting') {
        this.restarts.cancel(id);
        const s = this.records.setState(id, (st) => {
          st.Status = 'exited';
        }, (rec) => {
          rec.ManuallyStopped = true;
        });
        this.records.emit('stop', s);
        return 'done' as const;
      }
      if (r.State.Status !== 'running' && r.State.Status !== 'paused') return 'not-running' as const;
      // Wrapped: a promise returned from the locked task would be awaited under the lock,
      // and the exit handling it waits for needs that lock.
      const exit = this.exitSignals.next(id, timeout < 0 ? -1 : timeout * 1000);
      await this.signal(r, sig);
      return { exit };
    });
    if (proceed === 'not-running') return false;
    if (proceed !== 'done') {
      const exitedInTime = await proceed.exit;
      if (!exitedInTime) {
        const killed = await this.lock.run(id, async () => {
          const r = this.records.get(id);
          if (r.State.Status !== 'running' && r.State.Status !== 'paused') return undefined;
          const exit = this.exitSignals.next(id, 30_000);
          await this.signal(r, 9);
          return { exit };
        });
        if (killed) await killed.exit;
      }
      const after = this.records.find(id);
      if (after) this.records.emit('stop', after);
    }
    return true;
  }

  /** Returns once the signal is sent; the exit is the monitor's. */
  async kill(id: string, signalName: string): Promise<void> {
    const sig = signalOf(signalName || 'SIGKILL');
    await this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status === 'restarting' && (sig === 9 || !r.Config.StopSignal)) {
        this.restarts.cancel(id);
        this.records.setState(id, (s) => {
          s.Status = 'exited';
        });
        return;
      }
      if (r.State.Status !== 'running' && r.State.Status !== 'paused') {
        throw RpcError.conflict(`Cannot kill container: ${id}: Container ${r.Id} is not running`);
      }
      await this.signal(r, sig);
    });
  }

  /** SIGKILL and wait for the exit handling (up to 30 s): force removal. */
  async killAndWait(id: string): Promise<void> {
    await this.kill(id, 'SIGKILL').catch(() => undefined);
    const waiting = await this.lock.run(id, async () => {
      const r = this.records.get(id);
      return { exit: r.State.Status === 'running' || r.State.Status === 'paused' ? this.exitSignals.next(id, 30_000) : Promise.resolve(true) };
    });
    await waiting.exit;
  }

  async pause(id: string): Promise<void> {
    await this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status === 'paused') throw RpcError.conflict(`Container ${r.Id} is already paused`);
      if (r.State.Status !== 'running') throw RpcError.conflict(`Container ${r.Id} is not running`);
      await this.runtime.pause(id);
      this.records.emit('pause', this.records.setState(id, (s) => { s.Status = 'paused'; }));
    });
  }

  async unpause(id: string): Promise<void> {
    await this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status !== 'paused') throw RpcError.conflict(`Container ${r.Id} is not paused`);
      await this.runtime.resume(id);
      this.records.emit('unpause', this.records.setState(id, (s) => { s.Status = 'running'; }));
    });
  }
}
