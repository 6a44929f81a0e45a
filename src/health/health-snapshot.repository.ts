import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, IsNull, LessThan, Not } from 'typeorm';
import { healthConfig } from '../config/configuration';
import { ServiceEntity, ServiceStatus, SnapshotStatus } from '../services/service.entity';
import { HealthTarget, ProbeResult } from './health-prober';
import { HealthSnapshotView, SNAPSHOT_FIELDS_SQL, SnapshotFields, toSnapshotView } from './health-snapshot.view';
import { effectiveThresholds, HealthState, nextHealthState, UNCHECKED } from './health-thresholds';
import { ServiceHealthSnapshotEntity } from './service-health-snapshot.entity';

/** A page of one service's snapshot history, newest first. */
export interface SnapshotPage {
  snapshots: HealthSnapshotView[];
  /** Pass as `beforeVersion` for the next page; `null` on the last page. */
  nextBeforeVersion: number | null;
}

/** A snapshot that was stored, with the slug it belongs to (and its module; null for an external service). */
export interface RecordedSnapshot {
  slug: string;
  moduleId: string | null;
  snapshot: HealthSnapshotView;
  /**
   * The check changed nothing a watcher follows (see `isCheckOnly`): only `checkedAt`,
   * `latencyMs`, the counters and `lastHealthyAt` moved.
   */
  checkOnly: boolean;
}

/** One check on a timeline. */
export interface RecentCheck {
  version: number;
  /** The effective status after the check. */
  status: SnapshotStatus;
  /** What the check saw. */
  observedStatus: SnapshotStatus;
  checkedAt: Date;
  latencyMs: number | null;
  statusMessage: string | null;
}

/** What one retention batch removed. */
export interface PrunedBatch {
  deleted: number;
  slugs: string[];
}

/** A service as a batch of results finds it: where it is checked, its thresholds, its latest health state. */
interface CurrentHealthRow {
  slug: string;
  module_id: string | null;
  base_url: string;
  health_endpoint: string;
  health_version: number;
  health_failures_before_unhealthy: number | null;
  health_successes_before_healthy: number | null;
  latest_status: SnapshotStatus | null;
  consecutive_failures: number | null;
  consecutive_successes: number | null;
  since: Date | null;
  recent_statuses: SnapshotStatus[] | null;
  latest_base_url: string | null;
  latest_health_endpoint: string | null;
  service_status: string;
  service_status_message: string | null;
  latest_observed_status: SnapshotStatus | null;
  latest_status_message: string | null;
  latest_status_code: number | null;
  latest_flapping: boolean | null;
}

/**
 * Whether a check leaves everything a delta watcher follows as it was: the effective status
 * (the service's and its health block's), `since`, `observedStatus`, `flapping`,
 * `statusMessage` (the service's and the check's), `statusCode`, and where it was checked.
 * What such a check moves — `checkedAt`, `latencyMs`, `consecutiveFailures` /
 * `consecutiveSuccesses` and the service's `lastHealthyAt` — changes with every check.
 * A service's first check, or its first at a new address, always counts.
 */
function isCheckOnly(row: CurrentHealthRow, result: ProbeResult, step: { state: HealthState; flapping: boolean }): boolean {
  return (
    row.latest_status !== null &&
    row.latest_base_url === row.base_url &&
    row.latest_health_endpoint === row.health_endpoint &&
    step.state.status === row.latest_status &&
    step.state.status === row.service_status &&
    step.state.since?.getTime() === row.since?.getTime() &&
    result.status === row.latest_observed_status &&
    step.flapping === row.latest_flapping &&
    result.statusMessage === row.latest_status_message &&
    result.statusMessage === row.service_status_message &&
    result.statusCode === row.latest_status_code
  );
}

/** The state the next check continues from (a service never checked has none). */
function stateOf(row: CurrentHealthRow): HealthState {
  if (row.latest_status === null) return UNCHECKED;
  return {
    status: row.latest_status,
    consecutiveFailures: row.consecutive_failures!,
    consecutiveSuccesses: row.consecutive_successes!,
    since: row.since,
    recentStatuses: row.recent_statuses!,
  };
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
  constructor(
    private readonly dataSource: DataSource,
    @Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>,
  ) {}

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
   * Stores a batch of results in one transaction. The services are locked first (in slug
   * order, so two overlapping batches queue instead of deadlocking) and read with their latest
   * health state (`service_health_latest`) and their own thresholds; the threshold state
   * machine then gives each result its effective status, counters, `since` and flapping,
   * continuing from whatever check was stored last, by any replica (afresh when the service
   * was re-pointed since: the last check was of another endpoint). One statement then gives
   * each service the next version of its slug (`health_version + 1`, under the row lock, so
   * two replicas never hand out the same one), its effective `status`, the observation's
   * `status_message` and (when observed healthy) `last_healthy_at`; inserts the snapshot; and
   * replaces the service's `service_health_latest` row. Results for a service that was
   * deleted, or whose `base_url` or `health_endpoint` changed while it was being checked,
   * describe nothing current and are dropped. Returns the snapshots that were stored. Runs on
   * the DataSource it is given (the registry's, or the dual-write private store's).
   * Hand-written SQL: the batch is two statements whatever its size.
   */
  async record(dataSource: DataSource, results: ProbeResult[]): Promise<RecordedSnapshot[]> {
    if (results.length === 0) return [];
    const slugs = results.map((result) => result.target.slug);
    if (new Set(slugs).size !== slugs.length) throw new Error('a batch of health results must name each service once');
    return dataSource.transaction(async (manager) => {
      const current: CurrentHealthRow[] = await manager.query(
        `SELECT s.slug, s.module_id, s.base_url, s.health_endpoint, s.health_version,
                s.health_failures_before_unhealthy, s.health_successes_before_healthy,
                l.status AS latest_status, l.consecutive_failures, l.consecutive_successes, l.since, l.recent_statuses,
                l.base_url AS latest_base_url, l.health_endpoint AS latest_health_endpoint,
                s.status AS service_status, s.status_message AS service_status_message,
                l.observed_status AS latest_observed_status, l.status_message AS latest_status_message,
                l.status_code AS latest_status_code, l.flapping AS latest_flapping
           FROM services AS s
           LEFT JOIN service_health_latest AS l ON l.service_slug = s.slug
          WHERE s.slug = ANY($1::text[])
          ORDER BY s.slug
            FOR UPDATE OF s`,
        [slugs],
      );
      const bySlug = new Map(current.map((row) => [row.slug, row]));
      const rows = results.flatMap((result) => {
        const row = bySlug.get(result.target.slug);
        if (!row || row.base_url !== result.target.baseUrl || row.health_endpoint !== result.target.healthEndpoint) return [];
        const thresholds = effectiveThresholds(this.config.thresholds, {
          failuresBeforeUnhealthy: row.health_failures_before_unhealthy,
          successesBeforeHealthy: row.health_successes_before_healthy,
        });
        const retargeted = row.latest_status !== null && (row.latest_base_url !== row.base_url || row.latest_health_endpoint !== row.health_endpoint);
        const step = nextHealthState(stateOf(row), result.status, result.checkedAt, thresholds, { retargeted });
        return [{ result, version: row.health_version + 1, step, checkOnly: isCheckOnly(row, result, step) }];
      });
      if (rows.length === 0) return [];
      const stored: (SnapshotFields & { slug: string })[] = await manager.query(
        `WITH result AS (
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::timestamptz[],
                                $9::text[], $10::text[], $11::text[], $12::int[], $13::int[], $14::timestamptz[], $15::boolean[],
                                $16::text[], $17::text[])
             AS r(slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at,
                  base_url, health_endpoint, metadata, consecutive_failures, consecutive_successes, since, flapping,
                  previous_status, recent_statuses)
         ), service_update AS (
           UPDATE services AS s
              SET health_version = r.version,
                  status = r.status,
                  status_message = r.status_message,
                  last_healthy_at = CASE WHEN r.observed_status = 'healthy' THEN greatest(s.last_healthy_at, r.checked_at) ELSE s.last_healthy_at END
             FROM result AS r
            WHERE s.slug = r.slug
         ), latest AS (
           INSERT INTO service_health_latest AS l
             (service_slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at, base_url,
              health_endpoint, consecutive_failures, consecutive_successes, since, flapping, recent_statuses)
           SELECT slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at, base_url,
                  health_endpoint, consecutive_failures, consecutive_successes, since, flapping, string_to_array(recent_statuses, ',')
             FROM result
           ON CONFLICT (service_slug) DO UPDATE SET
             version = EXCLUDED.version, status = EXCLUDED.status, observed_status = EXCLUDED.observed_status,
             status_message = EXCLUDED.status_message, latency_ms = EXCLUDED.latency_ms, status_code = EXCLUDED.status_code,
             checked_at = EXCLUDED.checked_at, base_url = EXCLUDED.base_url, health_endpoint = EXCLUDED.health_endpoint,
             consecutive_failures = EXCLUDED.consecutive_failures, consecutive_successes = EXCLUDED.consecutive_successes,
             since = EXCLUDED.since, flapping = EXCLUDED.flapping, recent_statuses = EXCLUDED.recent_statuses
         )
         INSERT INTO service_health_snapshots
           (service_slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at, base_url,
            health_endpoint, metadata, consecutive_failures, consecutive_successes, since, flapping, previous_status)
         SELECT slug, version, status, observed_status, status_message, latency_ms, status_code, checked_at, base_url,
                health_endpoint, metadata::jsonb, consecutive_failures, consecutive_successes, since, flapping, previous_status
           FROM result
          ORDER BY slug
         RETURNING service_slug AS slug, ${SNAPSHOT_FIELDS_SQL}`,
        [
          rows.map(({ result }) => result.target.slug),
          rows.map(({ version }) => version),
          rows.map(({ step }) => step.state.status),
          rows.map(({ result }) => result.status),
          rows.map(({ result }) => result.statusMessage),
          rows.map(({ result }) => result.latencyMs),
          rows.map(({ result }) => result.statusCode),
          rows.map(({ result }) => result.checkedAt.toISOString()),
          rows.map(({ result }) => result.target.baseUrl),
          rows.map(({ result }) => result.target.healthEndpoint),
          rows.map(({ result }) => JSON.stringify(result.metadata)),
          rows.map(({ step }) => step.state.consecutiveFailures),
          rows.map(({ step }) => step.state.consecutiveSuccesses),
          rows.map(({ step }) => step.state.since!.toISOString()),
          rows.map(({ step }) => step.flapping),
          rows.map(({ step }) => step.previousStatus),
          rows.map(({ step }) => step.state.recentStatuses.join(',')),
        ],
      );
      const checkOnly = new Set(rows.filter((row) => row.checkOnly).map(({ result }) => result.target.slug));
      return stored.map((row) => ({
        slug: row.slug,
        moduleId: bySlug.get(row.slug)!.module_id,
        snapshot: toSnapshotView(row),
        checkOnly: checkOnly.has(row.slug),
      }));
    });
  }

  serviceExists(slug: string): Promise<boolean> {
    return this.dataSource.manager.exists(ServiceEntity, { where: { slug } });
  }

  /**
   * One page of a service's snapshots, newest first (one backward scan of the (slug, version)
   * index); with `transitionsOnly`, only the checks that changed its effective status (the
   * partial transitions index).
   */
  async history(slug: string, limit: number, beforeVersion: number | null, transitionsOnly = false): Promise<SnapshotPage> {
    const rows = await this.dataSource.manager.find(ServiceHealthSnapshotEntity, {
      where: {
        serviceSlug: slug,
        ...(beforeVersion === null ? {} : { version: LessThan(beforeVersion) }),
        ...(transitionsOnly ? { previousStatus: Not(IsNull()) } : {}),
      },
      order: { version: 'DESC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit).map(toSnapshotView);
    return { snapshots: page, nextBeforeVersion: rows.length > limit ? page[page.length - 1].version : null };
  }

  /** Every service's current status (effective: thresholds applied), for the status gauge. */
  currentStatuses(): Promise<{ slug: string; moduleId: string | null; status: ServiceStatus }[]> {
    return this.dataSource.query(`SELECT slug, module_id AS "moduleId", status FROM services ORDER BY slug`);
  }

  /**
   * The latest `perService` checks of every service, oldest first (a status page's timeline):
   * one backward probe of the (slug, version) index per service, never a scan of the table.
   */
  async recentChecks(perService: number): Promise<Map<string, RecentCheck[]>> {
    const rows: (RecentCheck & { slug: string })[] = await this.dataSource.query(
      `SELECT s.slug, r.version, r.status, coalesce(r.observed_status, r.status) AS "observedStatus",
              r.checked_at AS "checkedAt", r.latency_ms AS "latencyMs", r.status_message AS "statusMessage"
         FROM services AS s
        CROSS JOIN LATERAL (
               SELECT version, status, observed_status, checked_at, latency_ms, status_message
                 FROM service_health_snapshots
                WHERE service_slug = s.slug
                ORDER BY version DESC
                LIMIT $1) AS r
        ORDER BY s.slug, r.version`,
      [perService],
    );
    const bySlug = new Map<string, RecentCheck[]>();
    for (const { slug, ...check } of rows) {
      const checks = bySlug.get(slug) ?? [];
      checks.push(check);
      bySlug.set(slug, checks);
    }
    return bySlug;
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
