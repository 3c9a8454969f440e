import type { Logger } from '@berth/logging';
import type { ContainerPaths } from '../containers/container-paths';
import type { AttachLink } from '../lifecycle/attach-link';
import { attachSocketPath } from '../runtime/conmon';

/** What waits for a start: a session that can connect to conmon's socket or be let go. */
export interface WaitingSession {
  readonly id: string;
  connect(socketPath: string): Promise<void>;
  finish(): void;
}

/**
 * Attach sessions opened before their container runs (`docker run`), kept
 * apart from the gRPC handler so the lifecycle can reach them without
 * depending on attach's own dependencies (record lookup, log replay).
 */
export class AttachWaiters implements AttachLink {
  private readonly waiting = new Map<string, Set<WaitingSession>>();

  constructor(private readonly paths: ContainerPaths, private readonly logger: Logger) {}

  add(session: WaitingSession): void {
    let set = this.waiting.get(session.id);
    if (!set) this.waiting.set(session.id, (set = new Set()));
    set.add(session);
  }

  /** The session ended on its own (detach, client gone). */
  drop(session: WaitingSession): void {
    this.waiting.get(session.id)?.delete(session);
  }

  /** Called between `runc create` and `runc start`. */
  async connectWaiting(id: string): Promise<void> {
    const set = this.waiting.get(id);
    if (!set || set.size === 0) return;
    this.waiting.delete(id);
    const socket = attachSocketPath(this.paths.socketDir, id);
    await Promise.all(
      [...set].map((s) =>
        s.connect(socket).catch((err: unknown) => {
          this.logger.warn('attach failed', { container: id, error: err instanceof Error ? err.message : String(err) });
          s.finish();
        }),
      ),
    );
  }

  /** The container is gone (removed): clients waiting for its start are let go. */
  release(id: string): void {
    const set = this.waiting.get(id);
    this.waiting.delete(id);
    for (const s of set ?? []) s.finish();
  }
}
