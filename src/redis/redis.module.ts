import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

/**
 * Owns the ioredis connections (none in inline mode). The Redis readiness check
 * (`redis.health.ts`) lives beside them but is provided by the probes module, with terminus:
 * the CLI imports this module and has no probes (loading terminus cost a backfill ~50 files).
 */
@Global()
@Module({
  providers: [RedisConnections],
  exports: [RedisConnections],
})
export class RedisModule {}
