import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { container } from '@berth/proto';
import type { Logger } from '@berth/logging';
import { RpcError, toStatusObject } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import { attachSocketPath } from '../runtime/conmon';
import type { ContainerPaths } from '../containers/container-paths';
import type { AttachWaiters } from './attach-waiters';
import { ConmonAttachment } from './conmon-attach';
import { DEFAULT_DETACH_KEYS, DetachWatcher, parseDetachKeys } from './detach-keys';
import { StdinFlow, StdinTarget } from './stdin-flow';

type AttachCall = ServerDuplexStream<container.AttachInput, container.AttachOutput>;

export interface AttachTarget {
  resolve(ref: string): ContainerRecord;
}

/** Replays a container's log before live output (`logs=1`); provided by logs/. */
export type LogReplay = (record: ContainerRecord, stdout: boolean, stderr: boolean, write: (stream: 1 | 2, data: Buffer) => Promise<void>) => Promise<void>;

/** One client's attach: its options, stdin waiting for the connection, and the connection. */
export class AttachSession implements StdinTarget {
  attachment?: ConmonAttachment;
  private stdinQueue: Buffer[] = [];
  /** Waiting for the connection to conmon before they can wait for its drain. */
  private connectWaiters: (() => void)[] = [];
  private stdinClosed = false;
  private finished = false;
  private readonly detach?: DetachWatcher;

  constructor(
    readonly id: string,
    private readonly call: AttachCall,
    private readonly opts: container.AttachOptions,
    tty: boolean,
    private readonly onFinish: (s: AttachSession) => void,
  ) {
    if (tty && opts.stdin) this.detach = new DetachWatcher(parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS));
  }

  /** Connects to conmon; before that stdin is queued. */
  async connect(socketPath: string): Promise<void> {
    if (this.finished) return;
    this.attachment = await ConmonAttachment.connect(socketPath, {
      output: (stream, data) => {
        if ((stream === 1 && !this.opts.stdout) || (stream === 2 && !this.opts.stderr)) return;
        this.send(stream, data);
      },
      end: () => this.finish(),
    });
    if (this.finished) {
      this.attachment.close();
      return;
    }
    for (const chunk of this.stdinQueue) this.attachment.write(chunk);
    this.stdinQueue = [];
    if (this.stdinClosed) this.attachment.closeStdin();
    for (const fn of this.connectWaiters.splice(0)) this.attachment.onDrain(fn);
  }

  send(stream: number, data: Buffer): boolean {
    if (this.finished || data.length === 0) return true;
    return this.call.write({ output: { $case: 'chunk', chunk: { stream, data } } });
  }

  /** Stdin from the client; false when conmon (or the wait for it) cannot take more: see onDrain. */
  write(data: Buffer): boolean {
    if (!this.opts.stdin || this.stdinClosed || this.finished) return true;
    let forward = data;
    if (this.detach) {
      const r = this.detach.feed(data);
      forward = r.forward;
      if (r.detach) {
        if (forward.length > 0) this.writeStdin(forward);
        // Detaching leaves the container's stdin open: just drop this client.
        this.finish();
        return true;
      }
    }
    return this.writeStdin(forward);
  }

  onDrain(fn: () => void): void {
    if (this.attachment) this.attachment.onDrain(fn);
    else if (this.finished) queueMicrotask(fn);
    else this.connectWaiters.push(fn);
  }

  close(): void {
    this.closeStdin();
  }

  private writeStdin(data: Buffer): boolean {
    if (data.length === 0) return true;
    if (this.attachment) return this.attachment.write(data);
    // Before the container runs nothing takes stdin: hold this piece and no more.
    this.stdinQueue.push(data);
    return false;
  }

  closeStdin(): void {
    if (!this.opts.stdin || this.stdinClosed) return;
    this.stdinClosed = true;
    this.attachment?.closeStdin();
  }

  /** Ends the client's stream (container exit, detach, removal). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.attachment?.close();
    this.onFinish(this);
    this.releaseConnectWaiters();
    this.call.end();
  }

  /** The client went away. */
  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    this.attachment?.close();
    this.onFinish(this);
    this.releaseConnectWaiters();
  }

  private releaseConnectWaiters(): void {
    for (const fn of this.connectWaiters.splice(0)) fn();
  }
}

/**
 * Attach streams. A client may attach before the container starts (`docker
 * run` does): its session waits in AttachWaiters and is connected to conmon's
 * socket after `runc create` and before `runc start`, so no output is lost.
 */
export class AttachHub {
  constructor(
    private readonly paths: ContainerPaths,
    private readonly target: AttachTarget,
    private readonly waiters: AttachWaiters,
    private readonly logger: Logger,
    private readonly replay?: LogReplay,
    /** Told of every accepted attach (dockerd's `attach` event). */
    private readonly announce?: (record: ContainerRecord) => void,
  ) {}

  /** The gRPC Attach handler. */
  handle = (call: AttachCall): void => {
    let opened = false;
    const stdin = new StdinFlow(call);
    // grpc-js sends a server stream's status from an 'error' event.
    const fail = (err: unknown) => {
      call.emit('error', toStatusObject(err));
    };
    call.on('data', (msg: container.AttachInput) => {
      const input = msg.input;
      if (!input) return;
      if (input.$case === 'open') {
        if (opened) return;
        opened = true;
        this.open(call, input.open).then((s) => {
          session = s;
          if (s) stdin.attach(s);
        }, fail);
      } else if (input.$case === 'stdin') {
        stdin.write(Buffer.from(input.stdin));
      } else if (input.$case === 'closeStdin') {
        stdin.close();
      }
    });
    let session: AttachSession | undefined;
    call.on('end', () => stdin.close());
    call.on('cancelled', () => session?.abandon());
    call.on('error', () => session?.abandon());
  };

  private async open(call: AttachCall, opts: container.AttachOptions): Promise<AttachSession | undefined> {
    const record = this.target.resolve(opts.id);
    const tty = (record.Config as { Tty?: boolean }).Tty === true;
    if (opts.detachKeys) {
      try {
        parseDetachKeys(opts.detachKeys);
      } catch (err) {
        throw RpcError.invalidArgument((err as Error).message);
      }
    }
    call.write({ output: { $case: 'ready', ready: { tty } } });
    this.announce?.(record);
    const session = new AttachSession(record.Id, call, opts, tty, (s) => this.waiters.drop(s));
    if (opts.logs && this.replay) {
      await this.replay(record, opts.stdout, opts.stderr, async (stream, data) => {
        if (!session.send(stream, data)) await new Promise<void>((r) => call.once('drain', () => r()));
      });
    }
    if (!opts.stream) {
      call.end();
      return undefined;
    }
    const status = record.State.Status;
    if (status === 'running' || status === 'paused') {
      try {
        await session.connect(attachSocketPath(this.paths.socketDir, record.Id));
      } catch (err) {
        this.logger.debug('attach failed', { container: record.Id, error: err instanceof Error ? err.message : String(err) });
        session.finish();
      }
    } else if (status === 'created' || status === 'restarting') {
      this.waiters.add(session);
    } else {
      session.finish();
    }
    return session;
  }
}
