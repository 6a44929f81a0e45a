import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { InlineIndexWatcher } from './inline-index-watcher';
import { InvalidationModule } from './invalidation.module';
import { RegistryCache } from './registry-cache';

/**
 * The per-replica cache of registry views (HTTP app only; the CLI only publishes), dropped by
 * invalidations; in inline mode also by writes of other processes (`InlineIndexWatcher`).
 */
@Module({
  imports: [InvalidationModule, MetricsModule],
  providers: [RegistryCache, InlineIndexWatcher],
  exports: [RegistryCache, InvalidationModule],
})
export class RegistryCacheModule {}
