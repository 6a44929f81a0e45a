import { Global, Module } from '@nestjs/common';
import { InvalidationBus } from './invalidation-bus';
import { RegistryIndex } from './registry-index';

/** The invalidation bus and the registry index: every writer (app or CLI) needs them. */
@Global()
@Module({
  providers: [InvalidationBus, RegistryIndex],
  exports: [InvalidationBus, RegistryIndex],
})
export class InvalidationModule {}
