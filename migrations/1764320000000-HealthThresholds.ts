import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Health thresholds (issue #15) and the latest-health table (issue #13).
 *
 * - `services`: a service's own thresholds (null: the environment's defaults).
 * - `service_health_snapshots`: each check keeps its raw observation (`observed_status`) beside
 *   the effective `status`, the consecutive counters, `since`, `flapping`, and
 *   `previous_status` on the checks that changed the effective status (the transitions, with a
 *   partial index). Every new column is nullable or has a constant default: no table rewrite,
 *   and replicas of the previous version keep inserting during a rolling upgrade
 *   (`observed_status` null means the observation is `status`, as before thresholds).
 * - `service_health_latest`: one row per service, the latest check and the state the next check
 *   continues from; written in the same statement as each snapshot. Backfilled here from the
 *   snapshots (under the old one-check rule the effective status was the observation), and
 *   the transitions of the history that is kept are marked.
 */
export class HealthThresholds1764320000000 implements MigrationInterface {
  name = 'HealthThresholds1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE services
        ADD COLUMN health_failures_before_unhealthy integer,
        ADD COLUMN health_successes_before_healthy integer,
        ADD CONSTRAINT services_health_thresholds_check
          CHECK (health_failures_before_unhealthy BETWEEN 1 AND 100 AND health_successes_before_healthy BETWEEN 1 AND 100)`);

    await queryRunner.query(`
      ALTER TABLE service_health_snapshots
        ADD COLUMN observed_status text,
        ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN consecutive_successes integer NOT NULL DEFAULT 0,
        ADD COLUMN since timestamptz,
        ADD COLUMN flapping boolean NOT NULL DEFAULT false,
        ADD COLUMN previous_status text,
        ADD CONSTRAINT service_health_snapshots_observed_status_check CHECK (observed_status IN ('healthy', 'degraded', 'unreachable')),
        ADD CONSTRAINT service_health_snapshots_previous_status_check
          CHECK (previous_status IN ('unknown', 'healthy', 'degraded', 'unreachable'))`);
    // The transitions of the history that is kept (the first kept row of a slug has no known predecessor).
    await queryRunner.query(`
      UPDATE service_health_snapshots AS s
         SET previous_status = t.previous
        FROM (SELECT id, status, lag(status) OVER (PARTITION BY service_slug ORDER BY version) AS previous
                FROM service_health_snapshots) AS t
       WHERE s.id = t.id AND t.previous IS NOT NULL AND t.previous <> t.status`);
    await queryRunner.query(
      `CREATE INDEX service_health_snapshots_transitions_idx ON service_health_snapshots (service_slug, version) WHERE previous_status IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE service_health_latest (
        service_slug          text NOT NULL,
        version               integer NOT NULL,
        status                text NOT NULL,
        observed_status       text NOT NULL,
        status_message        text,
        latency_ms            integer,
        status_code           integer,
        checked_at            timestamptz NOT NULL,
        base_url              text NOT NULL,
        health_endpoint       text NOT NULL,
        consecutive_failures  integer NOT NULL DEFAULT 0,
        consecutive_successes integer NOT NULL DEFAULT 0,
        since                 timestamptz NOT NULL,
        flapping              boolean NOT NULL DEFAULT false,
        recent_statuses       text[] NOT NULL DEFAULT '{}',
        CONSTRAINT service_health_latest_pkey PRIMARY KEY (service_slug),
        CONSTRAINT service_health_latest_service_slug_fkey FOREIGN KEY (service_slug)
          REFERENCES services (slug) ON UPDATE CASCADE ON DELETE CASCADE,
        CONSTRAINT service_health_latest_status_check CHECK (status IN ('healthy', 'degraded', 'unreachable')),
        CONSTRAINT service_health_latest_observed_status_check CHECK (observed_status IN ('healthy', 'degraded', 'unreachable'))
      )`);
    // Per service: its latest snapshot, the run of checks with the same outcome (counters) and
    // the same status (since) that it ends, and its last 10 raw statuses (flapping: > 3 changes).
    await queryRunner.query(`
      INSERT INTO service_health_latest
        (service_slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at, base_url,
         health_endpoint, consecutive_failures, consecutive_successes, since, flapping, recent_statuses)
      SELECT s.slug, h.version, h.status, h.status, h.status_message, h.latency_ms, h.status_code, h.checked_at, h.base_url,
             h.health_endpoint,
             CASE WHEN h.status = 'healthy' THEN 0 ELSE outcome_run.checks END,
             CASE WHEN h.status = 'healthy' THEN outcome_run.checks ELSE 0 END,
             status_run.since, recent.changes > 3, recent.statuses
        FROM services AS s
        JOIN LATERAL (SELECT * FROM service_health_snapshots WHERE service_slug = s.slug ORDER BY version DESC LIMIT 1) AS h ON true
        JOIN LATERAL (
               SELECT count(*)::int AS checks FROM service_health_snapshots AS x
                WHERE x.service_slug = s.slug
                  AND x.version > coalesce((SELECT max(version) FROM service_health_snapshots AS y
                                             WHERE y.service_slug = s.slug AND (y.status = 'healthy') <> (h.status = 'healthy')), 0)
             ) AS outcome_run ON true
        JOIN LATERAL (
               SELECT min(checked_at) AS since FROM service_health_snapshots AS x
                WHERE x.service_slug = s.slug
                  AND x.version > coalesce((SELECT max(version) FROM service_health_snapshots AS y
                                             WHERE y.service_slug = s.slug AND y.status <> h.status), 0)
             ) AS status_run ON true
        JOIN LATERAL (
               SELECT array_agg(status ORDER BY version) AS statuses,
                      count(*) FILTER (WHERE previous IS NOT NULL AND previous <> status) AS changes
                 FROM (SELECT version, status, lag(status) OVER (ORDER BY version) AS previous
                         FROM (SELECT version, status FROM service_health_snapshots
                                WHERE service_slug = s.slug ORDER BY version DESC LIMIT 10) AS last_ten) AS ordered
             ) AS recent ON true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE service_health_latest`);
    await queryRunner.query(`DROP INDEX service_health_snapshots_transitions_idx`);
    await queryRunner.query(`
      ALTER TABLE service_health_snapshots
        DROP CONSTRAINT service_health_snapshots_previous_status_check,
        DROP CONSTRAINT service_health_snapshots_observed_status_check,
        DROP COLUMN previous_status,
        DROP COLUMN flapping,
        DROP COLUMN since,
        DROP COLUMN consecutive_successes,
        DROP COLUMN consecutive_failures,
        DROP COLUMN observed_status`);
    await queryRunner.query(`
      ALTER TABLE services
        DROP CONSTRAINT services_health_thresholds_check,
        DROP COLUMN health_successes_before_healthy,
        DROP COLUMN health_failures_before_unhealthy`);
  }
}
