import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The registry's change index (Postgres sequence `registry_change_index`), shared by every
 * replica and the CLI: a write takes the next value when it publishes its invalidation; a
 * reader reports the value its data was read at.
 */
@Injectable()
export class RegistryIndex {
  constructor(private readonly dataSource: DataSource) {}

  /** Advances the index after a committed write; returns the new value. */
  async advance(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT nextval('registry_change_index') AS value`);
    return Number(row.value);
  }

  /** SQL for the current value, to embed in a read so data and index come from one statement. */
  static readonly CURRENT_SQL = `(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registry_change_index)`;

  async current(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${RegistryIndex.CURRENT_SQL} AS value`);
    return Number(row.value);
  }
}
