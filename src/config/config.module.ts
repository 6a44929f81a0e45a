import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ALL_CONFIG } from './configuration';
import { validateEnvironment } from './environment';

/** Typed configuration namespaces, validated once at start; global for every module. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: ALL_CONFIG,
      validate: (raw) => {
        validateEnvironment(raw);
        return raw;
      },
    }),
  ],
})
export class RegistryConfigModule {}
