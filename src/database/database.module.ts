import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseServer } from './database-server';
import { runMigrationsUnderLock } from './migration-runner';
import { SchemaMigrator } from './schema-migrator';

export interface DatabaseModuleOptions {
  /** Apply pending migrations (under the advisory lock) before anything uses the database. */
  migrateOnStart: boolean;
  /** Connection attempts before start-up fails (the app retries; the CLI fails fast). */
  connectAttempts: number;
}

@Module({ providers: [DatabaseServer], exports: [DatabaseServer] })
class DatabaseServerModule {}

/** The TypeORM DataSource for the app or the CLI, on `DATABASE_URL` or the embedded Postgres. */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseServerModule,
        TypeOrmModule.forRootAsync({
          imports: [DatabaseServerModule],
          inject: [DatabaseServer],
          useFactory: async (server: DatabaseServer) => ({
            ...buildDataSourceOptions(await server.resolveUrl()),
            retryAttempts: options.connectAttempts - 1,
            retryDelay: 1_000,
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            if (options.migrateOnStart) await runMigrationsUnderLock(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [SchemaMigrator],
      exports: [DatabaseServerModule, SchemaMigrator],
    };
  }
}
