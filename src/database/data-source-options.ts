import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';

/**
 * Migrations are compiled to `dist/migrations` beside `dist/database`; from sources (tests)
 * they are the TypeScript files in the top-level `migrations/` folder.
 */
const MIGRATIONS_GLOB = __filename.endsWith('.ts')
  ? join(__dirname, '..', '..', 'migrations', '*.ts')
  : join(__dirname, '..', 'migrations', '*.js');

export const MIGRATIONS_TABLE = 'migrations';

/** Injection token of the schema's entity classes (given to `DatabaseModule.forRoot`). */
export const DATABASE_ENTITIES = Symbol('DATABASE_ENTITIES');

/**
 * The one set of DataSource options shared by the app, the CLI and the migration runner (on
 * the registry's database and on a dual-write private store alike).
 */
export function buildDataSourceOptions(url: string, entities: NonNullable<DataSourceOptions['entities']>): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    applicationName: 'service-registry',
    extra: {
      max: 10,
      connectionTimeoutMillis: 5_000,
      // Fail a query that cannot get an answer rather than hang a request forever.
      query_timeout: 30_000,
    },
  };
}
