import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { freePort } from './ports';

/** redis-server could not bind its port. */
class PortTaken extends Error {}

/**
 * A real `redis-server` (from PATH) on a free loopback port, for tests that need their own
 * Redis: one they can stop and start again on the same port.
 */
export class RedisServer {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort());
      try {
        await server.start();
        return server;
      } catch (error) {
        // Another process took the free port first: take another one.
        if (!(error instanceof PortTaken) || attempt === 5) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.process) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', () => undefined);
    this.process = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.process = null;
        if (/Address already in use/.test(output)) throw new PortTaken(`redis-server: port ${this.port} is taken`);
        throw new Error(`redis-server on port ${this.port} exited at start (is redis-server on PATH?): ${output.trim()}`);
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await sleep(50);
    }
  }

  /** Stops the server without closing its sockets (SIGSTOP): connected clients get no answer. */
  freeze(): void {
    if (this.process?.pid) process.kill(this.process.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (this.process?.pid) process.kill(this.process.pid, 'SIGCONT');
  }

  /** Whether the server is stopped by SIGSTOP right now (its state in /proc is `T`). */
  isFrozen(): boolean {
    if (!this.process?.pid) return false;
    const stat = readFileSync(`/proc/${this.process.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }

  stop(): Promise<void> {
    return this.kill();
  }

  private async answers(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
