import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { ServiceEntity } from '../services/service.entity';
import { HealthTarget, ProbeResult } from './health-prober';
import { HealthSnapshotView, SNAPSHOT_FIELDS_SQL, SnapshotFields, toSnapshotView } from './health-snapshot.view';
import { ServiceHealthSnapshotEntity } from './service-health-snapshot.entity';

/** A page of one service's snapshot history, newest first. */
export interface SnapshotPage {
  snapshots: HealthSnapshotView[];
  /** Pass as `beforeVersion` for the next page; `null` on the last page. */
  nextBeforeVersion: number | null;
}

/** A snapshot that was stored, with the slug it belongs to. */
export interface RecordedSnapshot {
  slug: string;
  snapshot: HealthSnapshotView;
}

/** What one retention batch removed. */
export interface PrunedBatch {
  deleted: number;
  slugs: string[];
}

interface TargetRow {
  slug: string;
  base_url: string;
  health_endpoint: string;
}

/**
 * The SQL of health checking: which services are due (claimed fleet-wide with
 * `FOR UPDATE SKIP LOCKED`), storing a batch of results, reading history, pruning old rows.
 * Every timestamp that decides scheduling is the database's `now()`, so replicas with
 * skewed clocks still agree.
 */
@Injectable()
export class HealthSnapshotRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` services whose check is due and moves their next check one
   * interval on, in one statement: rows another replica is claiming right now are skipped,
   * so each due service goes to exactly one replica. A service claimed on time (at most a
   * fifth of an interval late, the usual case: one tick) keeps its cadence, next = due time
   * + interval, so it is checked exactly once per interval with no drift. One claimed later
   * than that (a backlog, a new or changed service, a replica that died) restarts from now,
   * so two checks of a service are never less than 4/5 of an interval apart. A replica that
   * dies after claiming leaves the rows due again one interval later.
   */
  async claimDue(limit: number, intervalMs: number): Promise<HealthTarget[]> {
    const rows: TargetRow[] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM services
         WHERE next_health_check_at <= now()
         ORDER BY next_health_check_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE services AS s
         SET next_health_check_at = CASE
               WHEN s.next_health_check_at >= now() - $2::int / 5 * interval '1 millisecond' THEN s.next_health_check_at + $2::int * interval '1 millisecond'
               ELSE now() + $2::int * interval '1 millisecond'
             END
         FROM due
         WHERE s.id = due.id
         RETURNING s.slug, s.base_url, s.health_endpoint
       )
       SELECT slug, base_url, health_endpoint FROM claimed`,
      [limit, intervalMs],
    );
    return rows.map(toTarget);
  }

  findTarget(slug: string): Promise<HealthTarget | null> {
    return this.dataSource.manager.findOne(ServiceEntity, { select: { slug: true, baseUrl: true, healthEndpoint: true }, where: { slug } });
  }

  /**
   * Stores a batch of results in one transaction: each service gets the next version of
   * its slug (`health_version + 1`, taken under the row lock, so two replicas never hand
   * out the same one), its `status`, `status_message` and (when healthy) `last_healthy_at`,
   * and one snapshot row. Results for a service that was deleted, or whose `base_url` or
   * `health_endpoint` changed while it was being checked, describe nothing current and are
   * dropped. Returns the snapshots that were stored. Runs on the DataSource it is given (the
   * registry's, or the dual-write private store's). Hand-written SQL: the whole batch is one
   * statement (versions, service status and snapshot rows together).
   */
  async record(dataSource: DataSource, results: ProbeResult[]): Promise<RecordedSnapshot[]> {
    if (results.length === 0) return [];
    const slugs = results.map((result) => result.target.slug);
    if (new Set(slugs).size !== slugs.length) throw new Error('a batch of health results must name each service once');
    return dataSource.transaction(async (manager) => {
      // Locking in slug order first means two overlapping batches queue instead of deadlocking.
      await manager.query(`SELECT 1 FROM services WHERE slug = ANY($1::text[]) ORDER BY slug FOR UPDATE`, [slugs]);
      const rows: (SnapshotFields & { slug: string })[] = await manager.query(
        `WITH result AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
             AS r(slug, status, status_message, latency_ms, status_code, checked_at, base_url, health_endpoint, metadata)
         ), versioned AS (
           UPDATE services AS s
           SET health_version = s.health_version + 1,
               status = r.status,
               status_message = r.status_message,
               last_healthy_at = CASE WHEN r.status = 'healthy' THEN greatest(s.last_healthy_at, r.checked_at) ELSE s.last_healthy_at END
           FROM result AS r
           WHERE s.slug = r.slug AND s.base_url = r.base_url AND s.health_endpoint = r.health_endpoint
           RETURNING s.slug, s.health_version
         )
         INSERT INTO service_health_snapshots
           (service_slug, version, status, status_message, latency_ms, status_code, checked_at, base_url, health_endpoint, metadata)
         SELECT r.slug, v.health_version, r.status, r.status_message, r.latency_ms, r.status_code, r.checked_at, r.base_url, r.health_endpoint, r.metadata::jsonb
         FROM result AS r JOIN versioned AS v ON v.slug = r.slug
         ORDER BY r.slug
         RETURNING service_slug AS slug, ${SNAPSHOT_FIELDS_SQL}`,
        [
          slugs,
          results.map((result) => result.status),
          results.map((result) => result.statusMessage),
          results.map((result) => result.latencyMs),
          results.map((result) => result.statusCode),
          results.map((result) => result.checkedAt.toISOString()),
          results.map((result) => result.target.baseUrl),
          results.map((result) => result.target.healthEndpoint),
          results.map((result) => JSON.stringify(result.metadata)),
        ],
      );
      return rows.map((row) => ({ slug: row.slug, snapshot: toSnapshotView(row) }));
    });
  }

  serviceExists(slug: string): Promise<boolean> {
    return this.dataSource.manager.exists(ServiceEntity, { where: { slug } });
  }

  /** One page of a service's snapshots, newest first (one backward scan of the (slug, version) index). */
  async history(slug: string, limit: number, beforeVersion: number | null): Promise<SnapshotPage> {
    const rows = await this.dataSource.manager.find(ServiceHealthSnapshotEntity, {
      where: { serviceSlug: slug, ...(beforeVersion === null ? {} : { version: LessThan(beforeVersion) }) },
      order: { version: 'DESC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit).map(toSnapshotView);
    return { snapshots: page, nextBeforeVersion: rows.length > limit ? page[page.length - 1].version : null };
  }

  /**
   * Deletes up to `batchSize` snapshots checked more than `retentionDays` ago, oldest
   * first, never the latest (highest version) of a slug: a row goes only if a newer one of
   * its slug exists. Old rows are read in `checked_at` index order and "newer exists" is one
   * probe of the (slug, version) index, so a batch costs the same at any table size. Rows
   * another replica is pruning at the same moment are skipped.
   */
  async pruneBatch(retentionDays: number, batchSize: number): Promise<PrunedBatch> {
    const rows: { service_slug: string; deleted: number }[] = await this.dataSource.query(
      `WITH doomed AS (
         SELECT s.id FROM service_health_snapshots AS s
         WHERE s.checked_at < now() - make_interval(days => $1::int)
           AND EXISTS (
             SELECT 1 FROM service_health_snapshots AS newer
             WHERE newer.service_slug = s.service_slug AND newer.version > s.version
           )
         ORDER BY s.checked_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), pruned AS (
         DELETE FROM service_health_snapshots AS d USING doomed WHERE d.id = doomed.id
         RETURNING d.service_slug
       )
       SELECT service_slug, count(*)::int AS deleted FROM pruned GROUP BY service_slug`,
      [retentionDays, batchSize],
    );
    return {
      deleted: rows.reduce((sum, row) => sum + row.deleted, 0),
      slugs: rows.map((row) => row.service_slug),
    };
  }
}

function toTarget(row: TargetRow): HealthTarget {
  return { slug: row.slug, baseUrl: row.base_url, healthEndpoint: row.health_endpoint };
}
