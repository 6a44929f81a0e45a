import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { MetricsModule } from '../metrics/metrics.module';
import { buildDataSourceOptions, DATABASE_ENTITIES } from './data-source-options';
import { DatabaseServer } from './database-server';
import { runMigrationsUnderLock } from './migration-runner';
import { SchemaMigrator } from './schema-migrator';
import { StoreMirror } from './store-mirror';

export interface DatabaseModuleOptions {
  /** The entity classes of the schema (the composition root passes them: features own their entities). */
  entities: NonNullable<DataSourceOptions['entities']>;
  /** Apply pending migrations (under the advisory lock) before anything uses the database. */
  migrateOnStart: boolean;
  /** Connection attempts before start-up fails (the app retries; the CLI fails fast). */
  connectAttempts: number;
}

/** The server of the registry's own tables (`databaseConfig().registry`); stopped at shutdown if started here. */
@Injectable()
export class RegistryDatabaseServer extends DatabaseServer implements OnApplicationShutdown {
  constructor(@Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>) {
    super(config.registry);
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}

@Module({ providers: [RegistryDatabaseServer], exports: [RegistryDatabaseServer] })
class DatabaseServerModule {}

/**
 * The TypeORM DataSource of the app or the CLI, on the database `databaseConfig().registry`
 * names: `DATABASE_URL`, the zero-config embedded Postgres, or (rollback path) the replica's
 * private store. Also the dual-write mirror (`StoreMirror`). Global: most features read or
 * write the registry's tables.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseServerModule,
        MetricsModule,
        TypeOrmModule.forRootAsync({
          imports: [DatabaseServerModule],
          inject: [RegistryDatabaseServer],
          useFactory: async (server: RegistryDatabaseServer) => ({
            ...buildDataSourceOptions(await server.resolveUrl(), options.entities),
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
      providers: [SchemaMigrator, StoreMirror, { provide: DATABASE_ENTITIES, useValue: options.entities }],
      exports: [DatabaseServerModule, SchemaMigrator, StoreMirror],
    };
  }
}
