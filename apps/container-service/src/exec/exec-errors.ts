import { RpcError } from '@berth/rpc';

export function noSuchExec(id: string): RpcError {
  return RpcError.notFound(`No such exec instance: ${id}`);
}
