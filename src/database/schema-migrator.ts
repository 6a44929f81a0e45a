import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from './data-source-options';
import { runMigrationsUnderLock } from './migration-runner';

/** Brings the schema up to date (under the migration advisory lock). */
@Injectable()
export class SchemaMigrator {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies pending migrations; returns the names of those applied by this call. An up-to-date
   * schema (every CLI run but the first) is seen with two small reads, without the lock and
   * TypeORM's migration run (~0.2 s of a backfill's CPU); anything pending is applied under
   * the lock, which checks again.
   */
  async migrate(): Promise<string[]> {
    if ((await this.pending()).length === 0) return [];
    return runMigrationsUnderLock(this.dataSource);
  }

  /** Names of the migrations not applied yet; reads only (creates not even the migrations table). */
  async pending(): Promise<string[]> {
    const [{ present }] = await this.dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE]);
    const applied: { name: string }[] = present ? await this.dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`) : [];
    const names = new Set(applied.map((row) => row.name));
    return this.dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name).filter((name) => !names.has(name));
  }

  async appliedCount(): Promise<number> {
    const executed = await this.dataSource.query(`SELECT count(*)::int AS count FROM migrations`);
    return executed[0].count;
  }
}
