import { Global, Module } from '@nestjs/common';
import { RegistryCache } from './registry-cache';

/** The per-replica cache of registry views (HTTP app only; the CLI only publishes). */
@Global()
@Module({
  providers: [RegistryCache],
  exports: [RegistryCache],
})
export class RegistryCacheModule {}
