import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '../redis/redis.health';
import { RegistryCacheModule } from '../registry-cache/registry-cache.module';
import { ProbesController } from './probes.controller';
import { ReadinessChecks } from './readiness-checks';
import { ReadinessState } from './readiness-state';

/**
 * `/healthz` (liveness) and `/readyz` (readiness: database and Redis pings, the Redis
 * subscription resynced, 503 once shutdown began).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false }), RegistryCacheModule],
  controllers: [ProbesController],
  providers: [ReadinessState, ReadinessChecks, RedisHealthIndicator],
})
export class ProbesModule {}
