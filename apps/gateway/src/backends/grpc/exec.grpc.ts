import type { containerExec } from '@berth/proto';
import type { ServiceClients } from '../../services/service-clients';
import type { ExecBackend } from '../exec.backend';
import type { DuplexSession } from '../streams';

/** ExecBackend over container-service's exec. */
export class GrpcExecBackend implements ExecBackend {
  constructor(private readonly clients: ServiceClients) {}

  create(request: containerExec.CreateExecRequest): Promise<containerExec.CreateExecResponse> {
    return this.clients.exec.create(request);
  }

  start(): DuplexSession<containerExec.ExecInput, containerExec.ExecOutput> {
    return this.clients.containerExec.start();
  }

  async resize(request: containerExec.ExecResizeRequest): Promise<void> {
    await this.clients.exec.resize(request);
  }

  inspect(request: containerExec.ExecRef): Promise<containerExec.ExecInspectResponse> {
    return this.clients.exec.inspect(request);
  }
}
