import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { MetricsModule } from '../metrics/metrics.module';
import { connectDataSource, destroyWithin } from './bounded-data-source';
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
  /**
   * How long start-up keeps trying while the database refuses (it may be starting): the app
   * a few seconds, the CLI 0 (one attempt). Unknown host, bad credentials or a missing
   * database fail at once.
   */
  connectWithinMs: number;
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
 * Closes the DataSource before TypeORM's own shutdown hook would, within a couple of seconds
 * whatever Postgres does. pg's pool normally makes this quick even with a frozen server (idle
 * connections are ended without waiting for the server's goodbye, busy ones are cut), which
 * the fault suite checks; the bound is there so that nothing the close awaits can hold the
 * process.
 */
@Injectable()
class BoundedDatabaseClose implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(private readonly dataSource: DataSource) {}

  beforeApplicationShutdown(): Promise<void> {
    return destroyWithin(this.dataSource, this.logger);
  }
}

/**
 * The TypeORM DataSource of the app or the CLI, on the database `databaseConfig().registry`
 * names: `DATABASE_URL`, the zero-config embedded Postgres, or (rollback path) the replica's
 * private store. Also the dual-write mirror (`StoreMirror`). Global: most features read or
 * write the registry's tables.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    /** How a failure names the database (set once its URL is known). */
    let described = 'the database';
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseServerModule,
        MetricsModule,
        TypeOrmModule.forRootAsync({
          imports: [DatabaseServerModule],
          inject: [RegistryDatabaseServer],
          useFactory: async (server: RegistryDatabaseServer) => {
            const url = await server.resolveUrl();
            described = server.describeConnection(url);
            // connectDataSource tries again itself, and says why in one line.
            return { ...buildDataSourceOptions(url, options.entities), toRetry: () => false };
          },
          dataSourceFactory: async (dataSourceOptions) => {
            const dataSource = await connectDataSource(dataSourceOptions!, described, options.connectWithinMs);
            if (options.migrateOnStart) await runMigrationsUnderLock(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [SchemaMigrator, StoreMirror, BoundedDatabaseClose, { provide: DATABASE_ENTITIES, useValue: options.entities }],
      exports: [DatabaseServerModule, SchemaMigrator, StoreMirror],
    };
  }
}
