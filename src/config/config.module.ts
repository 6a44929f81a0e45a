import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ALL_CONFIG } from './configuration';

/** Typed configuration namespaces, validated once at start; global for every module. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      // Each namespace validates the environment as it is built; main.ts and cli.ts
      // validate before creating the application, so a bad value never gets this far.
      load: ALL_CONFIG,
    }),
  ],
})
export class RegistryConfigModule {}
