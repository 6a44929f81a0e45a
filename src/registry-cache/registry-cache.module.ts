import { Global, Module } from '@nestjs/common';
import { InvalidationBus } from './invalidation-bus';

/** The per-replica cache and the invalidation bus that keeps replicas consistent. */
@Global()
@Module({
  providers: [InvalidationBus],
  exports: [InvalidationBus],
})
export class RegistryCacheModule {}
