// Shared by the *.test.ts files of this folder: temporary data roots that
// are always unmounted and deleted, and a logger that stays quiet.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Logger } from '@berth/logging';
import { mountsUnder as mountsAtOrUnder } from '@berth/host';
import assert from 'node:assert/strict';
import type { status } from '@grpc/grpc-js';
import type { EventInput } from '@berth/events';
import { RpcError } from '@berth/rpc';
import { LocalDriver } from './local-driver';
import { VolumeManager, CreateVolumeInput } from './volume-manager';
import { VolumeStore } from './volume-store';

const roots: string[] = [];

/** A fresh directory to act as `<data-root>/volumes`. */
export function tempRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-vol-test-'));
  roots.push(root);
  return root;
}

/** Every mount strictly below root, deepest first. */
export function mountsUnder(root: string): string[] {
  return mountsAtOrUnder(root).filter((m) => m !== root);
}

/** For `after` hooks: detach whatever a test left mounted, then delete the roots. */
export function cleanupRoots(): void {
  for (const root of roots.splice(0)) {
    for (const m of mountsUnder(root)) {
      try { execFileSync('/bin/umount', ['-l', m], { stdio: 'ignore' }); } catch { /* raced with the code under test */ }
    }
    if (mountsUnder(root).length === 0) fs.rmSync(root, { recursive: true, force: true });
  }
}

export interface LogEntry { level: string; msg: string; fields?: Record<string, unknown> }

/** A logger that keeps what it is told, for assertions. */
export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => { entries.push({ level, msg, fields }); };
  const logger = { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** A volume manager over a real store and driver in `root`, with its events and log recorded. */
export function managerRig(root = tempRoot()) {
  const events: EventInput[] = [];
  const logger = recordingLogger();
  const store = new VolumeStore(path.join(root, 'metadata.db'));
  const driver = new LocalDriver(root);
  const manager = new VolumeManager(store, driver, { publish: async (e) => { events.push(e); } }, logger, { pollMs: 2 });
  const actions = () => events.map((e) => `${e.Action} ${e.Actor.ID}`);
  return { root, events, actions, logger, store, driver, manager };
}

export const volumeInput = (name: string, more: Partial<CreateVolumeInput> = {}): CreateVolumeInput =>
  ({ name, driver: '', driverOpts: {}, labels: {}, anonymous: false, ...more });

/** Asserts the error is an RpcError with this status and exactly this message. */
export function rpcError(code: status, message: string | RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof RpcError, `expected an RpcError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}
