import { All, Controller } from '@nestjs/common';
import { ApiError } from '@berth/engine-api';

const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Berth is never part of a swarm: these areas answer as a non-swarm dockerd does. */
@Controller()
export class SwarmController {
  @All(['swarm', 'swarm/*', 'nodes', 'nodes/*', 'services', 'services/*', 'tasks', 'tasks/*', 'secrets', 'secrets/*', 'configs', 'configs/*'])
  notAManager(): never {
    throw new ApiError(503, NOT_A_MANAGER);
  }
}
