import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections } from './redis-connections';

const PING_TIMEOUT_MS = 750;

/**
 * Readiness check for Redis. Answers within `PING_TIMEOUT_MS` whatever the connection is
 * doing: a connection that is not ready fails at once, and a PING is raced against a timer
 * (the command connection has no offline queue, so it never waits for a reconnect).
 * Inline mode has no Redis to check.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly connections: RedisConnections,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const connection = this.connections.command;
    if (!connection) return indicator.up({ mode: 'inline' });
    if (connection.status !== 'ready') return indicator.down({ message: `connection is ${connection.status}` });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connection.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PONG within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
