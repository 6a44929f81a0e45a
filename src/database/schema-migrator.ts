import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runMigrationsUnderLock } from './migration-runner';

/** Brings the schema up to date (under the migration advisory lock). */
@Injectable()
export class SchemaMigrator {
  constructor(private readonly dataSource: DataSource) {}

  /** Applies pending migrations; returns the names of those applied by this call. */
  migrate(): Promise<string[]> {
    return runMigrationsUnderLock(this.dataSource);
  }

  async appliedCount(): Promise<number> {
    const executed = await this.dataSource.query(`SELECT count(*)::int AS count FROM migrations`);
    return executed[0].count;
  }
}
