import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from '../redis/redis.health';
import { ReadinessState } from './readiness-state';

const PING_TIMEOUT_MS = 1_000;

/** Kubernetes probes: liveness has no dependency checks; readiness pings Postgres and Redis. */
@ApiTags('probes')
@Controller()
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly readiness: ReadinessState,
  ) {}

  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  ready() {
    if (this.readiness.isDraining) {
      throw new ServiceUnavailableException({ status: 'shutting_down', info: {}, error: {}, details: {} });
    }
    return this.health.check([
      () => this.postgres.pingCheck('postgres', { timeout: PING_TIMEOUT_MS }),
      () => this.redis.isHealthy('redis'),
    ]);
  }
}
