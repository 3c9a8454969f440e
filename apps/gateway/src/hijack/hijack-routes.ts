import type { UpgradeRouter } from '../server/upgrade';
import type { ServiceClients } from '../services/service-clients';
import type { Logger } from '@berth/logging';
import { handleAttach } from './attach.hijack';
import { handleWsAttach } from './ws-attach';
import { handleExecStartUpgrade } from './exec.hijack';

/** Registers every hijacked (Upgrade: tcp) route: container attach and exec start. */
export function registerHijackRoutes(router: UpgradeRouter, services: ServiceClients, logger: Logger): void {
  router.register(/^\/containers\/([^/]+)\/attach\/ws$/, (req, socket, head, m) => handleWsAttach(services, logger, req, socket, head, m[1]));
  router.register(/^\/containers\/([^/]+)\/attach$/, (req, socket, head, m) => handleAttach(services, logger, req, socket, head, m[1]));
  router.register(/^\/exec\/([^/]+)\/start$/, (req, socket, head, m) => handleExecStartUpgrade(services, logger, req, socket, head, m[1]));
}
