import { Inject, Injectable } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { containerExec } from '@berth/proto';
import { RpcError, ServiceBinding, toStatusObject, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { AttachedExec, ExecCreateConfig, ExecManager } from '../exec/exec-manager';
import { LOGGER } from '../tokens';
import { StdinFlow } from '../attach/stdin-flow';

function parseConfig(json: string): ExecCreateConfig {
  let v: unknown;
  try {
    v = json === '' ? {} : JSON.parse(json);
  } catch {
    throw RpcError.invalidArgument('invalid exec config');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw RpcError.invalidArgument('invalid exec config');
  return v as ExecCreateConfig;
}

type StartCall = ServerDuplexStream<containerExec.ExecInput, containerExec.ExecOutput>;

/**
 * The ContainerExec contract. Start is one bidirectional stream: the first
 * message says how; `ready` answers once the exec may be started (attached:
 * the gateway hijacks then) or has started (detached). A failure after
 * `ready` ends the stream with its status: the gateway writes it into the
 * hijacked stream, as dockerd does.
 */
@Injectable()
export class ContainerExecGrpcController {
  constructor(private readonly execs: ExecManager, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const x = this.execs;
    const l = this.logger;
    const implementation: containerExec.ContainerExecServer = {
      create: unary(async (req: containerExec.CreateExecRequest) => ({ id: x.create(req.containerId, parseConfig(req.configJson)) }), l),
      inspect: unary(async (req: containerExec.ExecRef) => ({ json: JSON.stringify(x.inspect(req.id)) }), l),
      resize: unary(async (req: containerExec.ExecResizeRequest) => {
        await x.resize(req.id, req.height, req.width);
        return {};
      }, l),
      start: (call: StartCall) => this.start(call),
    };
    return { definition: containerExec.ContainerExecService, implementation };
  }

  private start(call: StartCall): void {
    let session: AttachedExec | undefined;
    let started = false;
    let finished = false;
    // stdin waits (the call paused) while the exec is being launched, and whenever the process's stdin is full
    const stdin = new StdinFlow(call);
    const fail = (err: unknown) => {
      if (finished) return;
      finished = true;
      call.emit('error', toStatusObject(err));
    };
    const end = () => {
      if (finished) return;
      finished = true;
      call.end();
    };

    call.on('data', (msg: containerExec.ExecInput) => {
      const input = msg.input;
      if (!input) return;
      if (input.$case === 'start') {
        if (started) return;
        started = true;
        void this.run(call, input.start, (s) => {
          session = s;
          stdin.attach({ write: (d) => s.write(d), onDrain: (fn) => s.onDrain(fn), close: () => s.closeStdin() });
        }).then(end, fail);
      } else if (input.$case === 'stdin') {
        stdin.write(Buffer.from(input.stdin));
      } else if (input.$case === 'closeStdin') {
        stdin.close();
      }
    });
    // the gateway half-closes once its client's stdin is done
    call.on('end', () => {
      stdin.close();
      if (!started) end();
    });
    call.on('cancelled', () => {
      finished = true;
      session?.abandon();
    });
    call.on('error', () => session?.abandon());
  }

  private async run(call: StartCall, o: containerExec.StartExecOptions, onSession: (s: AttachedExec) => void): Promise<void> {
    const { tty } = this.execs.checkStartable(o.id);
    const consoleSize = o.height > 0 && o.width > 0 ? { height: o.height, width: o.width } : undefined;
    if (o.detach) {
      await this.execs.start(o.id, { detach: true, consoleSize });
      call.write({ output: { $case: 'ready', ready: { tty } } });
      return;
    }
    // attached: the client gets its stream before the start's own checks, as from dockerd
    call.write({ output: { $case: 'ready', ready: { tty } } });
    const session = await this.execs.start(o.id, {
      detach: false,
      consoleSize,
      onOutput: (stream, data) => {
        call.write({ output: { $case: 'chunk', chunk: { stream, data: Buffer.from(data) } } });
      },
    });
    // the client left while the exec was being launched
    if (call.cancelled) session.abandon();
    onSession(session);
    const code = await session.done;
    this.logger.debug('exec session over', { exec: o.id, exitCode: code });
  }
}
