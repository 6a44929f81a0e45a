import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Advisory lock key for schema migrations: any fixed 64-bit number unique to this purpose. */
const MIGRATION_LOCK_KEY = '7301946508332211001';

/**
 * Runs pending migrations while holding a Postgres advisory lock, so N replicas (and the
 * CLI) starting together migrate exactly once: the others wait, then find nothing pending.
 * Returns the names of the migrations this call applied.
 */
export async function runMigrationsUnderLock(dataSource: DataSource, logger = new Logger('Migrations')): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) logger.log(`Applied migration ${migration.name}`);
      return applied.map((migration) => migration.name);
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
  }
}
