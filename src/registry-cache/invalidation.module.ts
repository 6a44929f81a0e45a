import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { InvalidationBus } from './invalidation-bus';
import { RegistryIndex } from './registry-index';

/**
 * The invalidation bus and the registry index: what every writer of the registry's tables
 * (app or CLI) needs to tell the replicas.
 */
@Module({
  imports: [MetricsModule],
  providers: [InvalidationBus, RegistryIndex],
  exports: [InvalidationBus, RegistryIndex],
})
export class InvalidationModule {}
