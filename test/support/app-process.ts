import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';

const ROOT = join(__dirname, '..', '..');
/** The compiled registry (`npm test` builds it); `REGISTRY_DIST` points elsewhere (parallel builds). */
export const DIST = join(ROOT, process.env.REGISTRY_DIST ?? 'dist');

export interface AppProcessOptions {
  /** Environment on top of a clean one (PATH and HOME only). `PORT` is chosen if not given. */
  env?: Record<string, string | undefined>;
  /** How long to wait for `/healthz` (default 60 s). */
  startTimeoutMs?: number;
  /** Wait until `/readyz` answers 200 as well (default true). */
  waitForReady?: boolean;
}

/** A real registry process (`node dist/main.js`) on a free loopback port. */
export class AppProcess {
  private output = '';

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(options: AppProcessOptions = {}): Promise<AppProcess> {
    const path = options.waitForReady === false ? '/healthz' : '/readyz';
    for (let attempt = 1; ; attempt++) {
      const app = AppProcess.spawn(options.env ?? {}, Number(options.env?.PORT ?? (await freePort())));
      try {
        await app.waitUntil(path, options.startTimeoutMs ?? 60_000);
        return app;
      } catch (error) {
        // Another process took the free port first (other test runs share the machine): take
        // another one, unless the port was given.
        const portTaken = app.exitCode !== null && /EADDRINUSE/.test(app.logs);
        if (!portTaken || options.env?.PORT !== undefined || attempt === 5) throw error;
      }
    }
  }

  /**
   * Starts `count` processes at the same moment. If any fails to start, the others are
   * stopped before the error is thrown, so no process outlives the test.
   */
  static async startMany(count: number, options: AppProcessOptions = {}): Promise<AppProcess[]> {
    const results = await Promise.allSettled(Array.from({ length: count }, () => AppProcess.start(options)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
      throw failed.reason;
    }
    return results.map((result) => (result as PromiseFulfilledResult<AppProcess>).value);
  }

  /** Spawns without waiting (for tests of start-up failures). */
  static spawn(env: Record<string, string | undefined>, port: number): AppProcess {
    const child = spawn(process.execPath, [join(DIST, 'main.js')], {
      cwd: ROOT,
      env: cleanEnv({ LOG_LEVEL: 'warn', PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(port, child);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.url}${path}`, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) });
  }

  /** Resolves once the process has ended: its exit code, or the signal that ended it. */
  async exited(): Promise<number | NodeJS.Signals> {
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
    return this.child.exitCode ?? this.child.signalCode!;
  }

  /**
   * SIGTERM, then SIGKILL if it has not ended within `graceMs`. A clean shutdown ends with
   * `SIGTERM` (Nest re-raises the signal once its shutdown hooks have run).
   */
  async stop(graceMs = 10_000): Promise<number | NodeJS.Signals> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited();
    const exited = this.exited();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async waitUntil(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(`registry exited with ${this.child.exitCode} before ${path} answered:\n${this.output}`);
      }
      const status = await this.fetch(path, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`registry did not answer 200 on ${path} within ${timeoutMs} ms (last ${status}):\n${this.output}`);
      }
      await sleep(100);
    }
  }
}

/** The environment for a child process: nothing of the test runner's own configuration. */
export function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) base[name] = value;
  return base;
}
