import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisConnections } from './redis-connections';
import { RedisHealthIndicator } from './redis.health';

/** Owns the ioredis connections (none in inline mode) and the Redis readiness check. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [RedisConnections, RedisHealthIndicator],
  exports: [RedisConnections, RedisHealthIndicator],
})
export class RedisModule {}
