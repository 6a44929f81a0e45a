import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig } from '../config/configuration';

/**
 * The process's Redis connections: `command` for PUBLISH/PING, `subscriber` for SUBSCRIBE
 * (a subscribed connection can run nothing else). Both `null` in inline mode.
 *
 * The command connection has no offline queue: while Redis is away a command fails at once
 * instead of waiting for a reconnect, which is what readiness and publishing want.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly command: Redis | null;
  readonly subscriber: Redis | null;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    if (!config.url) {
      this.command = null;
      this.subscriber = null;
      return;
    }
    this.command = this.connect(config.url, 'command', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.subscriber = this.connect(config.url, 'subscriber', { enableOfflineQueue: true, maxRetriesPerRequest: null });
  }

  get inline(): boolean {
    return this.command === null;
  }

  /**
   * Waits (up to `timeoutMs`) for the command connection to be ready; false if it is not.
   * Lets a short-lived process (the CLI) publish right after it started connecting.
   */
  async commandReady(timeoutMs: number): Promise<boolean> {
    const connection = this.command;
    if (!connection) return false;
    if (connection.status === 'ready') return true;
    if (connection.status === 'end') return false;
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        connection.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      connection.once('ready', onReady);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.command, this.subscriber].map(async (connection) => {
        if (!connection || connection.status === 'end') return;
        await connection.quit().catch(() => connection.disconnect());
      }),
    );
  }

  private connect(url: string, role: string, options: { enableOfflineQueue: boolean; maxRetriesPerRequest: number | null }): Redis {
    const connection = new Redis(url, {
      ...options,
      connectionName: `service-registry:${role}`,
      connectTimeout: 2_000,
      // Keep trying for as long as the process lives; back off to one attempt a second.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    let reported = false;
    connection.on('error', (error: Error) => {
      if (reported) return; // one line per outage, not one per reconnect attempt
      reported = true;
      this.logger.warn(`Redis ${role} connection: ${error.message}`);
    });
    connection.on('ready', () => {
      if (reported) this.logger.log(`Redis ${role} connection is back`);
      reported = false;
    });
    return connection;
  }
}
