import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '../metrics/metrics.module';
import { InlineIndexWatcher } from './inline-index-watcher';
import { InvalidationSubscriptionIndicator } from './invalidation-subscription.health';
import { InvalidationModule } from './invalidation.module';
import { RegistryCache } from './registry-cache';

/**
 * The per-replica cache of registry views (HTTP app only; the CLI only publishes), dropped by
 * invalidations; in inline mode also by writes of other processes (`InlineIndexWatcher`). Also
 * the readiness check of the Redis subscription that keeps it fresh.
 */
@Module({
  imports: [InvalidationModule, MetricsModule, TerminusModule],
  providers: [RegistryCache, InlineIndexWatcher, InvalidationSubscriptionIndicator],
  exports: [RegistryCache, InvalidationModule, InvalidationSubscriptionIndicator],
})
export class RegistryCacheModule {}
