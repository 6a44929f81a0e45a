import { Module } from '@nestjs/common';
import { ModuleLoader } from '../manifests/module-loader';
import { PlaceholderResolver } from '../manifests/placeholder-resolver';
import { LocalRegistry } from './local-registry';
import { LocalRegistrySeeder } from './local-registry-seeder';

/** The in-process store, seeded from `SERVICE_MANIFEST_PATHS` before the app starts. */
@Module({
  providers: [
    ModuleLoader,
    PlaceholderResolver,
    LocalRegistrySeeder,
    { provide: LocalRegistry, inject: [LocalRegistrySeeder], useFactory: (seeder: LocalRegistrySeeder) => seeder.seed() },
  ],
  exports: [LocalRegistry],
})
export class LocalRegistryModule {}
