import { Global, Module } from '@nestjs/common';
import { InvalidationBus } from './invalidation-bus';
import { PostgresRegistryIndex } from './postgres-registry-index';
import { RegistryIndex } from './registry-index';

/**
 * The invalidation bus and the shared registry index: every writer of the shared tables (app
 * or CLI) needs them. The local-state app has its own (`LocalStateModule`).
 */
@Global()
@Module({
  providers: [InvalidationBus, { provide: RegistryIndex, useClass: PostgresRegistryIndex }],
  exports: [InvalidationBus, RegistryIndex],
})
export class InvalidationModule {}
