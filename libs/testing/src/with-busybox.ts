import { Berth, startBerth, StartBerthOptions } from './berth';
import { fixturePath } from './fixtures';

/** A Berth with the busybox fixture loaded: where most end-to-end files start. */
export async function startBerthWithBusybox(opts: StartBerthOptions = {}): Promise<Berth> {
  const berth = await startBerth(opts);
  const res = await berth.docker(['load', '-i', await fixturePath('busybox.tar')]);
  if (res.code !== 0) {
    await berth.stop();
    throw new Error(`docker load of busybox failed: ${res.stderr}`);
  }
  return berth;
}
