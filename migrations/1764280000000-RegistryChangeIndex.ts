import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fleet-wide, monotonically increasing registry index: every published invalidation takes
 * the next value, every read reports the value its data was read at (`X-Registry-Index`), and
 * `GET /services?index=N&wait=…` blocks until the index passes N.
 */
export class RegistryChangeIndex1764280000000 implements MigrationInterface {
  name = 'RegistryChangeIndex1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE registry_change_index AS bigint MINVALUE 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SEQUENCE registry_change_index`);
  }
}
