import type { containerExec } from '@berth/proto';
import type { DuplexSession } from './streams';

/** `docker exec` (routes/exec.controller.ts, hijack/exec.hijack.ts). */
export interface ExecBackend {
  create(request: containerExec.CreateExecRequest): Promise<containerExec.CreateExecResponse>;
  /** The first message carries the start options; the answer says `ready` before any output. */
  start(): DuplexSession<containerExec.ExecInput, containerExec.ExecOutput>;
  resize(request: containerExec.ExecResizeRequest): Promise<void>;
  inspect(request: containerExec.ExecRef): Promise<containerExec.ExecInspectResponse>;
}
