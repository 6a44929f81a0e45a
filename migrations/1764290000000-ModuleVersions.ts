import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per version of a module that an import wrote. The module's version counter reads
 * it, so a version whose only change was a removal (no new manifest or network row carries
 * it) is never handed out twice. Seeded from the versions already in the versioned tables.
 */
export class ModuleVersions1764290000000 implements MigrationInterface {
  name = 'ModuleVersions1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE module_versions (
        module_id      text NOT NULL,
        module_version integer NOT NULL,
        summary        jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT module_versions_pkey PRIMARY KEY (module_id, module_version),
        CONSTRAINT module_versions_module_version_check CHECK (module_version > 0)
      )`);
    await queryRunner.query(`
      INSERT INTO module_versions (module_id, module_version, created_at)
      SELECT module_id, module_version, min(created_at)
        FROM (SELECT module_id, module_version, created_at FROM service_manifests
              UNION ALL
              SELECT module_id, module_version, created_at FROM service_networks) versions
       GROUP BY module_id, module_version`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE module_versions`);
  }
}
