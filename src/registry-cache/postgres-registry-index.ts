import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RegistryIndex } from './registry-index';

/** The shared change index: the Postgres sequence `registry_change_index`. */
@Injectable()
export class PostgresRegistryIndex extends RegistryIndex {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /** Takes the next value of the sequence. */
  async advance(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT nextval('registry_change_index') AS value`);
    return Number(row.value);
  }

  async current(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${RegistryIndex.CURRENT_SQL} AS value`);
    return Number(row.value);
  }
}
