import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { redisConfig } from '../config/configuration';
import { redactUrls } from '../config/redacted-url';

/** How long shutdown waits for Redis to answer QUIT before it drops the connection. */
export const QUIT_TIMEOUT_MS = 1_000;

/**
 * The process's Redis connections: `command` for PUBLISH/PING, `subscriber` for SUBSCRIBE
 * (a subscribed connection can run nothing else). Both `null` in inline mode.
 *
 * The command connection has no offline queue: while Redis is away a command fails at once
 * instead of waiting for a reconnect, which is what readiness and publishing want. The
 * subscriber does not re-subscribe by itself: the invalidation bus subscribes on every
 * 'ready' and resyncs (messages sent while it was away are lost).
 *
 * Shutdown is bounded whatever Redis does: QUIT on a ready connection, raced against
 * `QUIT_TIMEOUT_MS` (a frozen Redis never answers), then the socket is dropped; a connection
 * that is not ready (Redis down: QUIT would wait in the offline queue forever) is dropped at once.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly command: Redis | null;
  readonly subscriber: Redis | null;

  private readonly shownUrl: string;

  constructor(@Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>) {
    this.shownUrl = redactUrls(config.url ?? 'inline');
    if (!config.url) {
      this.command = null;
      this.subscriber = null;
      return;
    }
    this.command = this.connect(config.url, 'command', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.subscriber = this.connect(config.url, 'subscriber', { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false });
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
    await Promise.all([this.command, this.subscriber].map((connection) => connection && close(connection)));
  }

  private connect(
    url: string,
    role: string,
    options: { enableOfflineQueue: boolean; maxRetriesPerRequest: number | null; autoResubscribe?: boolean },
  ): Redis {
    // Loaded here, not at import: a process without REDIS_URL (inline mode, most CLI runs)
    // never needs ioredis, and loading it is ~70 ms of a backfill's start.
    const { default: RedisClient } = require('ioredis') as typeof import('ioredis');
    const connection = new RedisClient(url, {
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
      this.logger.warn(`Redis ${role} connection to REDIS_URL (${this.shownUrl}): ${describeRedisError(error)}; not ready until it connects`);
    });
    connection.on('ready', () => {
      if (reported) this.logger.log(`Redis ${role} connection is back`);
      reported = false;
    });
    return connection;
  }
}

/** Closes `connection` within about `QUIT_TIMEOUT_MS`, whatever state Redis is in. */
async function close(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      connection.quit().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }
  // QUIT may have ended it already (the status changed while we awaited).
  if ((connection.status as string) !== 'end') connection.disconnect();
}

/** Why a Redis connection failed, in an operator's words. */
export function describeRedisError(error: Error & { code?: string }): string {
  const message = redactUrls(error.message);
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused (${message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host (${message})`;
    case 'ETIMEDOUT':
      return `no answer (${message})`;
  }
  if (/WRONGPASS|NOAUTH|invalid (username-)?password/i.test(message)) return `authentication failed (${message})`;
  return message;
}
