import type { Logger } from '@berth/logging';

/**
 * Runs `stop` once on SIGINT/SIGTERM and then exits; a second signal exits at
 * once. Keeps every service's shutdown behaviour the same.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stop().then(() => process.exit(0), (err: unknown) => {
      logger.error('stop failed', { error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
