import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, DataSourceOptions, EntityMetadata, QueryRunner } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';

export interface SchemaDrift {
  /** The scratch database the check migrated (dropped before this returns). */
  database: string;
  /** Tables the entities describe. */
  tables: number;
  /**
   * What separates the entities from the migrated schema, one line each: the statements
   * TypeORM's schema builder would run, then the check constraints and partial-index
   * conditions whose expressions differ (TypeORM compares those by name only). Empty when
   * they agree.
   */
  differences: string[];
}

/**
 * Whether `entities` describe exactly the schema the migrations build: creates a scratch
 * database (`schema_check_…`) on the server of `serverUrl`, applies every migration and asks
 * TypeORM's schema builder what it would change. The scratch database is dropped whatever
 * happens.
 */
export async function findSchemaDrift(serverUrl: string, entities: NonNullable<DataSourceOptions['entities']>): Promise<SchemaDrift> {
  const server = new URL(serverUrl);
  const admin = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect().catch((error: Error) => {
    throw new Error(`cannot reach Postgres at ${server.host}: ${error.message || (error as { code?: string }).code}`);
  });
  const database = `schema_check_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    server.pathname = `/${database}`;
    const dataSource = new DataSource(buildDataSourceOptions(server.toString(), entities));
    try {
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      const schemaBuilder = await dataSource.driver.createSchemaBuilder().log();
      const statements = schemaBuilder.upQueries.map((query) => `${query.query};`);
      const expressions = await differingExpressions(dataSource);
      return { database, tables: dataSource.entityMetadatas.length, differences: [...statements, ...expressions] };
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).finally(() => admin.end());
  }
}

const PROBE = 'schema_check_probe';

/**
 * TypeORM matches checks and indexes by name and never compares a check's expression or an
 * index's `WHERE`. Postgres prints both in one canonical form: add each entity's version
 * under a probe name (in a transaction rolled back at the end) and compare the printouts.
 */
async function differingExpressions(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  const differences: string[] = [];
  try {
    await runner.startTransaction();
    for (const metadata of dataSource.entityMetadatas) {
      const table = `"${metadata.tableName}"`;
      for (const check of metadata.checks) {
        const migrated = await checkDefinition(runner, metadata, check.name);
        if (migrated === null) continue; // missing: the schema builder's statements say so
        const declared = await probe(runner, `ALTER TABLE ${table} ADD CONSTRAINT ${PROBE} CHECK (${check.expression}) NOT VALID`, () =>
          checkDefinition(runner, metadata, PROBE).then((definition) => definition!.replace(/ NOT VALID$/, '')),
        );
        if (declared !== migrated) {
          differences.push(`${metadata.tableName}: check ${check.name} is ${migrated} after the migrations, ${declared} in the entity`);
        }
      }
      for (const index of metadata.indices) {
        const migrated = await indexCondition(runner, index.name);
        if (migrated === undefined) continue; // missing: the schema builder's statements say so
        const columns = index.columns.map((column) => `"${column.databaseName}"`).join(', ');
        const declared = index.where
          ? await probe(runner, `CREATE INDEX ${PROBE} ON ${table} (${columns}) WHERE ${index.where}`, () => indexCondition(runner, PROBE))
          : null;
        if (declared !== migrated) {
          const describe = (condition: string | null | undefined) => (condition ? `WHERE ${condition}` : 'no WHERE');
          differences.push(
            `${metadata.tableName}: index ${index.name} has ${describe(migrated)} after the migrations, ${describe(declared)} in the entity`,
          );
        }
      }
    }
    return differences;
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}

/** Runs `ddl` and `read` inside a savepoint rolled back afterwards; an expression Postgres refuses is reported as such. */
async function probe(runner: QueryRunner, ddl: string, read: () => Promise<string | null | undefined>): Promise<string | null | undefined> {
  await runner.query(`SAVEPOINT ${PROBE}`);
  try {
    await runner.query(ddl);
    return await read();
  } catch (error) {
    return `an expression Postgres refuses (${(error as Error).message})`;
  } finally {
    await runner.query(`ROLLBACK TO SAVEPOINT ${PROBE}`);
  }
}

async function checkDefinition(runner: QueryRunner, metadata: EntityMetadata, name: string): Promise<string | null> {
  const rows: { definition: string }[] = await runner.query(
    `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2 AND contype = 'c'`,
    [`"${metadata.tableName}"`, name],
  );
  return rows[0]?.definition ?? null;
}

/** The index's condition (`null` if it has none), or `undefined` if there is no such index. */
async function indexCondition(runner: QueryRunner, name: string | undefined): Promise<string | null | undefined> {
  const rows: { condition: string | null }[] = await runner.query(
    `SELECT pg_get_expr(i.indpred, i.indrelid) AS condition FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`,
    [name],
  );
  return rows.length === 0 ? undefined : rows[0].condition;
}
