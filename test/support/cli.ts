import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, DIST } from './app-process';

const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ARGS` from the repository root and waits for it to end by itself. */
export function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(DIST, 'cli.js'), ...args],
      { cwd: ROOT, env: cleanEnv(env), timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : error.killed ? -1 : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
