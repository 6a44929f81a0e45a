import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The registry's change index: the Postgres sequence `registry_change_index` of the registry's
 * database (shared by every replica and the CLI; on the rollback path, the private store's).
 * A write takes the next value when it publishes its invalidation; a read reports the value its
 * data was read at, taken in the same statement (`CURRENT_SQL`).
 */
@Injectable()
export class RegistryIndex {
  /** SQL for the index's current value, to embed in a read so data and index come from one statement. */
  static readonly CURRENT_SQL = `(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registry_change_index)`;
  /** SQL taking the next value, to embed in a write's read back so its data and index come from one statement. */
  static readonly NEXT_SQL = `(SELECT nextval('registry_change_index'))`;

  constructor(private readonly dataSource: DataSource) {}

  /** Takes the next value: the index after a committed write. */
  async advance(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${RegistryIndex.NEXT_SQL} AS value`);
    return Number(row.value);
  }

  async current(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${RegistryIndex.CURRENT_SQL} AS value`);
    return Number(row.value);
  }
}
