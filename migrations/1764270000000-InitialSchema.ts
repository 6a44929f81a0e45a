import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table of the registry (SPEC §2) with its constraints and hot-path indexes. */
export class InitialSchema1764270000000 implements MigrationInterface {
  name = 'InitialSchema1764270000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE services (
        id                   text PRIMARY KEY,
        slug                 text NOT NULL,
        display_name         text NOT NULL,
        kind                 text NOT NULL,
        base_url             text NOT NULL,
        health_endpoint      text NOT NULL DEFAULT '/healthz',
        source               text NOT NULL,
        module_id            text,
        status               text NOT NULL DEFAULT 'unknown',
        status_message       text,
        capabilities         jsonb,
        metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
        last_healthy_at      timestamptz,
        health_version       integer NOT NULL DEFAULT 0,
        next_health_check_at timestamptz NOT NULL DEFAULT now(),
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT services_slug_key UNIQUE (slug),
        CONSTRAINT services_source_check CHECK (source IN ('module', 'external')),
        CONSTRAINT services_status_check CHECK (status IN ('unknown', 'healthy', 'degraded', 'unreachable')),
        CONSTRAINT services_module_id_check CHECK ((source = 'module') = (module_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX services_module_id_idx ON services (module_id)`);
    await queryRunner.query(`CREATE INDEX services_next_health_check_at_idx ON services (next_health_check_at)`);

    await queryRunner.query(`
      CREATE TABLE service_manifests (
        id             bigserial PRIMARY KEY,
        module_id      text NOT NULL,
        module_version integer NOT NULL,
        service_slug   text NOT NULL,
        definition     jsonb NOT NULL,
        checksum       text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        superseded_at  timestamptz,
        CONSTRAINT service_manifests_module_version_slug_key UNIQUE (module_id, module_version, service_slug),
        CONSTRAINT service_manifests_module_version_check CHECK (module_version > 0)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX service_manifests_active_slug_key ON service_manifests (service_slug) WHERE superseded_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX service_manifests_active_module_idx ON service_manifests (module_id) WHERE superseded_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX service_manifests_slug_history_idx ON service_manifests (service_slug, module_version DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE service_networks (
        id             bigserial PRIMARY KEY,
        network_id     text NOT NULL,
        module_id      text NOT NULL,
        module_version integer NOT NULL,
        name           text NOT NULL,
        definition     jsonb NOT NULL,
        checksum       text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        superseded_at  timestamptz,
        CONSTRAINT service_networks_module_version_network_key UNIQUE (module_id, module_version, network_id),
        CONSTRAINT service_networks_module_version_check CHECK (module_version > 0)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX service_networks_active_network_key ON service_networks (network_id) WHERE superseded_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX service_networks_active_module_idx ON service_networks (module_id) WHERE superseded_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE service_network_members (
        id                 bigserial PRIMARY KEY,
        service_network_id bigint NOT NULL REFERENCES service_networks (id) ON DELETE CASCADE,
        service_slug       text NOT NULL,
        launch_order       integer NOT NULL,
        wait_for_build     boolean NOT NULL DEFAULT false,
        depends_on         jsonb NOT NULL DEFAULT '[]'::jsonb,
        env_vars           jsonb NOT NULL DEFAULT '[]'::jsonb,
        CONSTRAINT service_network_members_network_slug_key UNIQUE (service_network_id, service_slug)
      )`);
    await queryRunner.query(`CREATE INDEX service_network_members_slug_idx ON service_network_members (service_slug)`);

    await queryRunner.query(`
      CREATE TABLE service_health_snapshots (
        id              bigserial PRIMARY KEY,
        service_slug    text NOT NULL REFERENCES services (slug) ON UPDATE CASCADE ON DELETE CASCADE,
        version         integer NOT NULL,
        status          text NOT NULL,
        status_message  text,
        latency_ms      integer,
        status_code     integer,
        checked_at      timestamptz NOT NULL,
        base_url        text NOT NULL,
        health_endpoint text NOT NULL,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT service_health_snapshots_slug_version_key UNIQUE (service_slug, version),
        CONSTRAINT service_health_snapshots_status_check CHECK (status IN ('healthy', 'degraded', 'unreachable'))
      )`);
    // The unique (service_slug, version) index answers "latest snapshot of a slug" with one
    // backward index probe; this one lets retention find old rows without a full scan.
    await queryRunner.query(`CREATE INDEX service_health_snapshots_checked_at_idx ON service_health_snapshots (checked_at)`);

    await queryRunner.query(`
      CREATE TABLE module_resource_contexts (
        id            bigserial PRIMARY KEY,
        module_id     text NOT NULL,
        resource_type text NOT NULL,
        resource_id   text NOT NULL,
        metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT module_resource_contexts_key UNIQUE (module_id, resource_type, resource_id),
        CONSTRAINT module_resource_contexts_type_check CHECK (resource_type IN ('service', 'network'))
      )`);
    await queryRunner.query(
      `CREATE INDEX module_resource_contexts_resource_idx ON module_resource_contexts (resource_type, resource_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE module_resource_contexts`);
    await queryRunner.query(`DROP TABLE service_health_snapshots`);
    await queryRunner.query(`DROP TABLE service_network_members`);
    await queryRunner.query(`DROP TABLE service_networks`);
    await queryRunner.query(`DROP TABLE service_manifests`);
    await queryRunner.query(`DROP TABLE services`);
  }
}
