import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from '../redis/redis.health';
import { ReadinessChecks } from './readiness-checks';

const PING_TIMEOUT_MS = 750;

/** Readiness with shared state: a Postgres ping and a Redis ping (none in inline mode), each bounded. */
@Injectable()
export class SharedStateReadiness extends ReadinessChecks {
  constructor(
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {
    super();
  }

  indicators(): HealthIndicatorFunction[] {
    return [() => this.postgres.pingCheck('postgres', { timeout: PING_TIMEOUT_MS }), () => this.redis.isHealthy('redis')];
  }
}
