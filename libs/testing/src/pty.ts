import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Berth } from './berth';
import { DOCKER_BIN, dockerEnv } from './docker-cli';

export interface PtyStep {
  /** Wait until the output so far matches. */
  expect: RegExp;
  /** Then resize the terminal (the CLI gets SIGWINCH, as from a real window)… */
  resize?: { rows: number; cols: number };
  /** …and type this (a carriage return ends a line on a terminal). */
  send?: string;
}

/** The terminal `script` made: the stdin of its child. */
function ptyOf(scriptPid: number): string | undefined {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== scriptPid) continue;
      const tty = fs.readlinkSync(`/proc/${p}/fd/0`);
      if (tty.startsWith('/dev/pts/')) return tty;
    } catch {
      // gone
    }
  }
  return undefined;
}

export interface PtyResult {
  output: string;
  code: number | null;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the Docker CLI under a real pseudo-terminal (util-linux `script`), so
 * `-it` sees a TTY: sets the terminal size first, then plays the steps.
 * Rejects with the output so far when a step does not match in time.
 */
export function dockerInPty(berth: Berth, args: string[], steps: PtyStep[], opts: { rows?: number; cols?: number; timeoutMs?: number } = {}): Promise<PtyResult> {
  const cmd = `stty rows ${opts.rows ?? 24} cols ${opts.cols ?? 80}; exec ${[DOCKER_BIN, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
    env: dockerEnv({ host: berth.dockerHost, configDir: berth.dockerConfig }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let step = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pty step ${step} (${steps[step]?.expect}) not met; output: ${JSON.stringify(output)}`));
    }, opts.timeoutMs ?? 20_000);
    const advance = () => {
      while (step < steps.length && steps[step].expect.test(output)) {
        const s = steps[step++];
        if (s.resize) {
          const tty = ptyOf(child.pid!);
          if (tty) execFileSync('stty', ['-F', tty, 'rows', String(s.resize.rows), 'cols', String(s.resize.cols)]);
        }
        if (s.send !== undefined) {
          // the CLI needs a moment to pass a resize on before the next command reads the size
          if (s.resize) setTimeout(() => child.stdin.write(s.send!), 300);
          else child.stdin.write(s.send);
        }
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      advance();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString('utf8');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (step < steps.length) reject(new Error(`exited (${code}) before step ${step} (${steps[step].expect}); output: ${JSON.stringify(output)}`));
      else resolve({ output, code });
    });
    advance();
  });
}
