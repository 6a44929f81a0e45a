import { DynamicModule, Module } from '@nestjs/common';
import { LocalRegistry } from './local-registry';
import { LocalRegistryNotice } from './local-registry-notice';

/** The in-process store, seeded (`seedLocalRegistry`) before the application is created. */
@Module({})
export class LocalRegistryModule {
  static forRoot(registry: LocalRegistry): DynamicModule {
    return {
      module: LocalRegistryModule,
      providers: [{ provide: LocalRegistry, useValue: registry }, LocalRegistryNotice],
      exports: [LocalRegistry],
    };
  }
}
