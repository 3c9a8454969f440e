import assert from 'node:assert/strict';
import type { Berth } from './berth';

/** Runs the CLI, asserts it succeeded (stderr in the message) and returns stdout. */
export async function dockerOk(berth: Berth, args: string[], input?: string | Buffer): Promise<string> {
  const res = await berth.docker(args, input === undefined ? {} : { input });
  assert.equal(res.code, 0, `docker ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** Runs the CLI, asserts it failed and returns stderr (where dockerd's message lands). */
export async function dockerFails(berth: Berth, args: string[]): Promise<string> {
  const res = await berth.docker(args);
  assert.notEqual(res.code, 0, `docker ${args.join(' ')} should fail`);
  return res.stderr;
}
