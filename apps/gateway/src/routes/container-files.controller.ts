import { Controller } from '@nestjs/common';
import { ServiceClients } from '../services/service-clients';

/** Placeholder: its routes arrive with the matching container-service capability. */
@Controller()
export class ContainerFilesController {
  constructor(private readonly services: ServiceClients) {}
}
