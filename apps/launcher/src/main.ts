import * as fs from 'node:fs';
import * as path from 'node:path';
import { BerthConfig, loadConfig } from '@berth/config';
import { createLogger } from '@berth/logging';
import { Launcher } from './launcher';
import { LauncherOptions, USAGE, loadLauncherOptions } from './options';
import { readPidFileSync, writePidFile } from '@berth/host';
import { pidFilePath, removePidFile } from './pidfiles';
import { prepareRoots } from './roots';

function isLiveLauncher(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('launcher');
  } catch {
    return false;
  }
}

function fail(message: string): never {
  process.stderr.write(`berth launcher: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // Whoever reads our output may go away (a test process that died); losing
  // log lines is fine, dying of EPIPE halfway through a shutdown is not.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  let config: BerthConfig;
  let options: LauncherOptions;
  try {
    config = loadConfig();
    options = loadLauncherOptions();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const logger = createLogger('launcher', config.logLevel);

  // Before anything is written in them (our pid file first).
  prepareRoots(config.dataRoot, config.runRoot);

  // Two launchers on one run root would fight over every socket in it.
  const ownPidFile = pidFilePath(config.runRoot, 'launcher');
  const other = readPidFileSync(ownPidFile);
  if (other !== undefined && isLiveLauncher(other)) fail(`another launcher (pid ${other}) is using ${config.runRoot}`);
  writePidFile(ownPidFile, process.pid);

  const launcher = new Launcher({ config, options, logger, appsDir: path.resolve(__dirname, '..', '..') });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn('second signal: killing everything', { signal });
      launcher.killAll();
      removePidFile(ownPidFile, process.pid);
      process.exit(1);
    }
    logger.info('stopping', { signal });
    void launcher.shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.exitWithStdin) {
    process.stdin.on('error', () => { /* treated like end of file */ });
    process.stdin.once('close', () => {
      logger.info('stdin closed: stopping');
      void launcher.shutdown(0);
    });
    process.stdin.resume();
  }

  try {
    const endpoints = await launcher.start();
    const where = endpoints.length > 0 ? endpoints.join(' and ') : 'gateway not started';
    process.stdout.write(`Berth is ready: ${where}\n`);
  } catch (err) {
    if (!launcher.isShutdownError(err)) {
      logger.error('start failed', { error: err instanceof Error ? err.message : String(err) });
      void launcher.shutdown(1);
    }
  }

  const code = await launcher.finished;
  removePidFile(ownPidFile, process.pid);
  logger.info('stopped', { code });
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth launcher failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
