import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { registryConfig } from '../config/configuration';
import { RedisHealthIndicator } from '../redis/redis.health';
import { InvalidationSubscriptionIndicator } from '../registry-cache/invalidation-subscription.health';

const PING_TIMEOUT_MS = 750;

/**
 * What `/readyz` checks besides shutdown, each bounded: a ping of the registry's database (the
 * shared Postgres, or on the rollback path the replica's private store, reported as
 * `privateStore`) and of Redis (reported up in inline mode, which uses none), and the Redis
 * subscription (`invalidations`: subscribed, and the caches dropped since it last came back).
 */
@Injectable()
export class ReadinessChecks {
  private readonly databaseKey: string;

  constructor(
    @Inject(registryConfig.KEY) config: ConfigType<typeof registryConfig>,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly invalidations: InvalidationSubscriptionIndicator,
  ) {
    this.databaseKey = config.useSharedState ? 'postgres' : 'privateStore';
  }

  indicators(): HealthIndicatorFunction[] {
    return [
      () => this.postgres.pingCheck(this.databaseKey, { timeout: PING_TIMEOUT_MS }),
      () => this.redis.isHealthy('redis'),
      () => this.invalidations.isHealthy('invalidations'),
    ];
  }
}
