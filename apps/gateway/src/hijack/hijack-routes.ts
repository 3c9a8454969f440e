import type { UpgradeRouter } from '../server/upgrade';
import type { ContainerAttach } from './attach.hijack';
import type { ExecStart } from './exec.hijack';

/** Registers every upgraded route: container attach (hijacked and websocket) and exec start. */
export function registerHijackRoutes(router: UpgradeRouter, attach: ContainerAttach, exec: ExecStart): void {
  router.register(/^\/containers\/([^/]+)\/attach\/ws$/, (req, socket, head, m) => attach.attach(req, socket, head, decodeURIComponent(m[1]), 'websocket'));
  router.register(/^\/containers\/([^/]+)\/attach$/, (req, socket, head, m) => attach.attach(req, socket, head, decodeURIComponent(m[1]), 'stream'));
  router.register(/^\/exec\/([^/]+)\/start$/, (req, socket, head, m) => exec.start(req, socket, head, decodeURIComponent(m[1])));
}
