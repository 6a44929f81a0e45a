import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RegistryIndex } from '../registry-cache/registry-index';
import { SnapshotStatus } from './service.entity';
import { ManifestHistory, RegistryService, ServicesDataset, servicesDataset, serviceJson, ServiceView } from './service-view';

/**
 * A timestamptz as `Date.prototype.toISOString` writes it (UTC, milliseconds, `Z`; both
 * truncate the microseconds), made by Postgres: the dataset read at 10,000 services spent a
 * third of its client time parsing timestamps into Dates only to format them again.
 */
function isoText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

interface DatasetRow {
  registry_index: string;
  id: string | null;
  slug: string;
  display_name: string;
  kind: string;
  base_url: string;
  source: ServiceView['source'];
  module_id: string | null;
  status: ServiceView['status'];
  status_message: string | null;
  capabilities: unknown;
  metadata: Record<string, unknown>;
  /** Timestamps arrive as the API shows them (`isoText`), never as Dates. */
  last_healthy_at: string | null;
  created_at: string;
  updated_at: string;
  manifest_module_id: string | null;
  manifest_module_version: number | null;
  manifest_checksum: string | null;
  health_status: SnapshotStatus | null;
  health_observed_status: SnapshotStatus | null;
  health_consecutive_failures: number | null;
  health_consecutive_successes: number | null;
  health_since: string | null;
  health_flapping: boolean | null;
  health_status_message: string | null;
  health_checked_at: string | null;
  health_latency_ms: number | null;
  health_status_code: number | null;
  health_base_url: string | null;
  health_endpoint: string | null;
  context_module_ids: string[] | null;
}

/**
 * The services reads. The dataset is every service with its active manifest, its latest
 * health and its module contexts, in one statement (one round trip, whatever the number of
 * services): hand-written SQL, as four joined tables and the index in one statement have no
 * repository form. The latest health is the service's row of `service_health_latest` (one
 * row per service, written with each snapshot), so the read never touches the snapshots
 * table, however large it grows. Each read takes the registry index in the same statement, so
 * it matches the data.
 */
@Injectable()
export class ServicesDatasetQuery {
  static readonly SQL = ServicesDatasetQuery.sql('true', RegistryIndex.CURRENT_SQL);
  /**
   * The same read for the services named in `$1` (text[]), taking the next registry index in
   * the same statement (`nextval`): a write's read back after its commit, and its index, in
   * one round trip.
   */
  static readonly PUBLISHED_SQL = ServicesDatasetQuery.sql('s.slug = ANY($1::text[])', `(SELECT nextval('registry_change_index'))`);

  private static sql(serviceCondition: string, indexSql: string): string {
    return `
    SELECT idx.value AS registry_index, s.id, s.slug, s.display_name, s.kind, s.base_url, s.source,
           s.module_id, s.status, s.status_message, s.capabilities, s.metadata, ${isoText('s.last_healthy_at')} AS last_healthy_at,
           ${isoText('s.created_at')} AS created_at, ${isoText('s.updated_at')} AS updated_at,
           m.module_id AS manifest_module_id, m.module_version AS manifest_module_version, m.checksum AS manifest_checksum,
           h.status AS health_status, h.observed_status AS health_observed_status,
           h.consecutive_failures AS health_consecutive_failures, h.consecutive_successes AS health_consecutive_successes,
           ${isoText('h.since')} AS health_since, h.flapping AS health_flapping, h.status_message AS health_status_message,
           ${isoText('h.checked_at')} AS health_checked_at, h.latency_ms AS health_latency_ms, h.status_code AS health_status_code,
           h.base_url AS health_base_url, h.health_endpoint AS health_endpoint, c.module_ids AS context_module_ids
      FROM (SELECT ${indexSql} AS value) idx
      LEFT JOIN services s ON ${serviceCondition}
      LEFT JOIN service_manifests m ON m.service_slug = s.slug AND m.superseded_at IS NULL
      LEFT JOIN service_health_latest h ON h.service_slug = s.slug
      LEFT JOIN LATERAL (
             SELECT array_agg(module_id ORDER BY module_id) AS module_ids
               FROM module_resource_contexts
              WHERE resource_type = 'service' AND resource_id = s.slug) c ON true
     ORDER BY s.slug`;
  }

  constructor(private readonly dataSource: DataSource) {}

  async loadServices(): Promise<ServicesDataset> {
    const rows: DatasetRow[] = await this.dataSource.query(ServicesDatasetQuery.SQL);
    // In code-unit order whatever the database's collation, the order patches insert in.
    const services = rows
      .filter((row) => row.id !== null)
      .map(toRegistryService)
      .sort(bySlug);
    return servicesDataset(Number(rows[0]?.registry_index ?? 0), services);
  }

  /**
   * The dataset read again as `loadServices` reads it (one snapshot, the index taken in it),
   * but through a cursor, `RELOAD_BATCH` rows at a time, keeping `current`'s entry (and its
   * JSON) for every service whose view is unchanged. The background re-read at 10,000 services
   * then leaves short-lived garbage a batch at a time, instead of a second dataset that lives
   * long enough to reach the old generation (tens of megabytes of RSS until a full collection).
   * Hand-written SQL: a cursor has no repository form.
   */
  async reloadServices(current: ServicesDataset): Promise<ServicesDataset> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`DECLARE services_reload NO SCROLL CURSOR FOR ${ServicesDatasetQuery.SQL}`);
      let index = 0;
      const services: RegistryService[] = [];
      const kept: RegistryService[] = [];
      for (;;) {
        const rows: DatasetRow[] = await runner.query(`FETCH ${RELOAD_BATCH} FROM services_reload`);
        for (const row of rows) {
          index = Number(row.registry_index);
          if (row.id === null) continue;
          const fresh = toRegistryService(row);
          const known = current.bySlug.get(fresh.view.slug);
          const same = known !== undefined && sameModules(known, fresh) && JSON.stringify(fresh.view) === serviceJson(current, known);
          services.push(same ? known : fresh);
          if (same) kept.push(known);
        }
        if (rows.length < RELOAD_BATCH) break;
      }
      await runner.commitTransaction();
      const dataset = servicesDataset(index, services.sort(bySlug));
      for (const service of kept) dataset.json.set(service.view, serviceJson(current, service));
      return dataset;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * What a committed write publishes: the named services as the dataset holds them (those that
   * exist), and the registry index the write advances to.
   */
  async loadPublished(slugs: string[]): Promise<PublishedServices> {
    const rows: DatasetRow[] = await this.dataSource.query(ServicesDatasetQuery.PUBLISHED_SQL, [slugs]);
    return { index: Number(rows[0].registry_index), upserts: rows.filter((row) => row.id !== null).map(toRegistryService) };
  }

  async loadManifestHistory(slug: string): Promise<ManifestHistory> {
    const rows: ManifestRow[] = await this.dataSource.query(
      `SELECT m.id, m.module_id, m.module_version, m.service_slug, m.definition, m.checksum,
              m.created_at, m.updated_at, m.superseded_at,
              (SELECT count(*) FROM services WHERE slug = $1) AS registered,
              ${RegistryIndex.CURRENT_SQL} AS registry_index
         FROM (SELECT 1) one
         LEFT JOIN service_manifests m ON m.service_slug = $1
        ORDER BY m.module_version DESC NULLS LAST, m.id DESC`,
      [slug],
    );
    const versions = rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        id: Number(row.id),
        moduleId: row.module_id,
        moduleVersion: row.module_version,
        serviceSlug: row.service_slug,
        checksum: row.checksum,
        active: row.superseded_at === null,
        definition: row.definition,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        supersededAt: row.superseded_at?.toISOString() ?? null,
      }));
    return { index: Number(rows[0].registry_index), registered: Number(rows[0].registered) > 0, versions };
  }
}

/** A write's services read back after its commit, with the registry index it took. */
export interface PublishedServices {
  index: number;
  upserts: RegistryService[];
}

interface ManifestRow {
  id: string | null;
  module_id: string;
  module_version: number;
  service_slug: string;
  definition: Record<string, unknown>;
  checksum: string;
  created_at: Date;
  updated_at: Date;
  superseded_at: Date | null;
  registered: string;
  registry_index: string;
}

/** Rows per FETCH of the background re-read (`reloadServices`): ~1 MB of rows at a time. */
const RELOAD_BATCH = 500;

/** Code-unit order of slugs, whatever the database's collation: the order patches insert in. */
function bySlug(a: RegistryService, b: RegistryService): number {
  return a.view.slug < b.view.slug ? -1 : a.view.slug > b.view.slug ? 1 : 0;
}

function sameModules(a: RegistryService, b: RegistryService): boolean {
  return a.moduleIds.length === b.moduleIds.length && a.moduleIds.every((id, at) => id === b.moduleIds[at]);
}

function toRegistryService(row: DatasetRow): RegistryService {
  const view: ServiceView = {
    id: row.id!,
    slug: row.slug,
    displayName: row.display_name,
    kind: row.kind,
    baseUrl: row.base_url,
    source: row.source,
    moduleId: row.module_id,
    status: row.status,
    statusMessage: row.status_message,
    capabilities: row.capabilities,
    metadata: row.metadata,
    lastHealthyAt: row.last_healthy_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    manifest:
      row.manifest_module_id === null
        ? null
        : { moduleId: row.manifest_module_id, moduleVersion: row.manifest_module_version!, checksum: row.manifest_checksum! },
    health:
      row.health_status === null
        ? null
        : {
            status: row.health_status,
            observedStatus: row.health_observed_status!,
            consecutiveFailures: row.health_consecutive_failures!,
            consecutiveSuccesses: row.health_consecutive_successes!,
            since: row.health_since!,
            flapping: row.health_flapping!,
            statusMessage: row.health_status_message,
            checkedAt: row.health_checked_at!,
            latencyMs: row.health_latency_ms,
            statusCode: row.health_status_code,
            baseUrl: row.health_base_url!,
            healthEndpoint: row.health_endpoint!,
          },
  };
  const moduleIds = row.context_module_ids ?? (row.module_id ? [row.module_id] : []);
  return { view, moduleIds };
}
