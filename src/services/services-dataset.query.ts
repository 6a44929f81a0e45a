import { Injectable } from '@nestjs/common';
import { PoolClient, Query, QueryArrayConfig } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
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

/**
 * The dataset statement's columns, in its order. Rows are read as arrays (`rowMode: 'array'`),
 * one at a time as they arrive: no object per row and no array of all rows, so at 10,000
 * services the rows die young instead of being promoted with the dataset (see bench/README).
 * Timestamps arrive as the API shows them (`isoText`), never as Dates.
 */
const COLUMNS = [
  'registry_index', 'id', 'slug', 'display_name', 'kind', 'base_url', 'source', 'module_id', 'status', 'status_message',
  'capabilities', 'metadata', 'last_healthy_at', 'created_at', 'updated_at',
  'manifest_module_id', 'manifest_module_version', 'manifest_checksum',
  'health_status', 'health_observed_status', 'health_consecutive_failures', 'health_consecutive_successes', 'health_since',
  'health_flapping', 'health_status_message', 'health_checked_at', 'health_latency_ms', 'health_status_code', 'health_base_url',
  'health_endpoint', 'context_module_ids',
] as const;
const at = Object.fromEntries(COLUMNS.map((name, position) => [name, position])) as Record<(typeof COLUMNS)[number], number>;

/** A dataset statement and its parameters; with a `name`, pg prepares it once per connection. */
interface DatasetStatement {
  name?: string;
  text: string;
  values: unknown[];
}

/** One row of the dataset statement, its values in `COLUMNS` order (as pg parses them). */
type DatasetRow = unknown[];

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
  static readonly PUBLISHED_SQL = ServicesDatasetQuery.sql('s.slug = ANY($1::text[])', RegistryIndex.NEXT_SQL);

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
    const { index, services } = await this.read({ text: ServicesDatasetQuery.SQL, values: [] });
    return servicesDataset(index, services.sort(bySlug));
  }

  /**
   * The dataset read again as `loadServices` reads it, keeping `current`'s entry (and its JSON)
   * for every service whose view is unchanged: the background re-read at 10,000 services then
   * leaves short-lived garbage (each row's fresh service, compared and dropped as it arrives)
   * instead of a second dataset that lives long enough to reach the old generation.
   */
  async reloadServices(current: ServicesDataset): Promise<ServicesDataset> {
    const kept: RegistryService[] = [];
    const { index, services } = await this.read({ text: ServicesDatasetQuery.SQL, values: [] }, (fresh) => {
      const known = current.bySlug.get(fresh.view.slug);
      if (known === undefined || !sameModules(known, fresh) || JSON.stringify(fresh.view) !== serviceJson(current, known)) return fresh;
      kept.push(known);
      return known;
    });
    const dataset = servicesDataset(index, services.sort(bySlug));
    for (const service of kept) dataset.json.set(service.view, serviceJson(current, service));
    return dataset;
  }

  /**
   * What a committed write publishes: the named services as the dataset holds them (those that
   * exist), and the registry index the write advances to. Every write and every health batch
   * runs it: a named statement, so Postgres plans it once per connection, not each time (~0.7 ms
   * of a PATCH's ~11 at the median; bench/README.md, "PATCH → watch").
   */
  async loadPublished(slugs: string[]): Promise<PublishedServices> {
    const { index, services } = await this.read({ name: 'registry-published-services', text: ServicesDatasetQuery.PUBLISHED_SQL, values: [slugs] });
    return { index, upserts: services };
  }

  /**
   * Runs a dataset statement, each row becoming its service as it arrives. On the pg connection
   * of a TypeORM query runner, because `dataSource.query` offers neither array rows nor rows one
   * at a time; logged, and its errors wrapped, as TypeORM does its own statements.
   */
  private async read(
    statement: DatasetStatement,
    keep: (fresh: RegistryService) => RegistryService = (fresh) => fresh,
  ): Promise<{ index: number; services: RegistryService[] }> {
    const { text, values } = statement;
    const runner = this.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as PoolClient;
      this.dataSource.logger.logQuery(text, values, runner);
      try {
        return await readRows(connection, statement, keep);
      } catch (error) {
        this.dataSource.logger.logQueryError(error as Error, text, values, runner);
        throw error instanceof QueryFailedError ? error : new QueryFailedError(text, values, error as Error);
      }
    } finally {
      await runner.release();
    }
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

/** Code-unit order of slugs, whatever the database's collation: the order patches insert in. */
function bySlug(a: RegistryService, b: RegistryService): number {
  return a.view.slug < b.view.slug ? -1 : a.view.slug > b.view.slug ? 1 : 0;
}

function sameModules(a: RegistryService, b: RegistryService): boolean {
  return a.moduleIds.length === b.moduleIds.length && a.moduleIds.every((id, at) => id === b.moduleIds[at]);
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

/**
 * Sends `statement` and maps each row to its service as pg parses it (`keep` may take an equal one
 * in its place); no row outlives its mapping.
 */
function readRows(
  connection: PoolClient,
  statement: DatasetStatement,
  keep: (fresh: RegistryService) => RegistryService,
): Promise<{ index: number; services: RegistryService[] }> {
  return new Promise((resolve, reject) => {
    const services: RegistryService[] = [];
    let index: unknown = 0;
    let failure: Error | undefined;
    const query = new Query({ ...statement, rowMode: 'array' } as QueryArrayConfig);
    query.on('row', (row: DatasetRow, result) => {
      if (failure) return;
      // Thrown here, an error would escape into pg's socket handler: kept for 'end' instead.
      try {
        if (services.length === 0) checkColumns(result?.fields.map((field) => field.name) ?? []);
        index = row[at.registry_index];
        if (row[at.id] !== null) services.push(keep(toRegistryService(row, services[services.length - 1])));
      } catch (error) {
        failure = error as Error;
      }
    });
    query.on('error', reject);
    query.on('end', () => (failure ? reject(failure) : resolve({ index: Number(index), services })));
    connection.query(query);
  });
}

function checkColumns(names: string[]): void {
  if (names.length !== COLUMNS.length || names.some((name, position) => name !== COLUMNS[position])) {
    throw new Error(`The dataset statement returns ${names.join(', ')}, not the columns COLUMNS names`);
  }
}

/**
 * `value`, or the equal string the previous service holds. Kinds, sources, statuses, module
 * ids, health endpoints and the times of imports and of polling batches repeat from one
 * service to the next: the services then hold one string, and the copy pg made dies young
 * instead of being kept (and copied by the garbage collector) with the dataset. Comparing with
 * the neighbour costs no hashing (a Map of every distinct string cost more than it saved).
 */
function same<T extends string | null>(value: T, held: T | undefined): T {
  return value === held ? held : value;
}

/** The service of a row; `previous` is the service of the row before, whose equal strings it takes (see `same`). */
function toRegistryService(row: DatasetRow, previous: RegistryService | undefined): RegistryService {
  const last = previous?.view;
  const baseUrl = row[at.base_url] as string;
  const moduleId = same(row[at.module_id] as string | null, last?.moduleId);
  const healthBaseUrl = row[at.health_base_url] as string;
  const view: ServiceView = {
    id: row[at.id] as string,
    slug: row[at.slug] as string,
    displayName: row[at.display_name] as string,
    kind: same(row[at.kind] as string, last?.kind),
    baseUrl,
    source: same(row[at.source] as ServiceView['source'], last?.source),
    moduleId,
    status: same(row[at.status] as ServiceView['status'], last?.status),
    statusMessage: row[at.status_message] as string | null,
    capabilities: row[at.capabilities],
    metadata: row[at.metadata] as Record<string, unknown>,
    lastHealthyAt: same(row[at.last_healthy_at] as string | null, last?.lastHealthyAt),
    createdAt: same(row[at.created_at] as string, last?.createdAt),
    updatedAt: same(row[at.updated_at] as string, last?.updatedAt),
    manifest:
      row[at.manifest_module_id] === null
        ? null
        : {
            moduleId: same(row[at.manifest_module_id] as string, last?.manifest?.moduleId),
            moduleVersion: row[at.manifest_module_version] as number,
            checksum: row[at.manifest_checksum] as string,
          },
    health:
      row[at.health_status] === null
        ? null
        : {
            status: same(row[at.health_status] as SnapshotStatus, last?.health?.status),
            observedStatus: same(row[at.health_observed_status] as SnapshotStatus, last?.health?.observedStatus),
            consecutiveFailures: row[at.health_consecutive_failures] as number,
            consecutiveSuccesses: row[at.health_consecutive_successes] as number,
            since: same(row[at.health_since] as string, last?.health?.since as string | undefined),
            flapping: row[at.health_flapping] as boolean,
            statusMessage: row[at.health_status_message] as string | null,
            checkedAt: same(row[at.health_checked_at] as string, last?.health?.checkedAt),
            latencyMs: row[at.health_latency_ms] as number | null,
            statusCode: row[at.health_status_code] as number | null,
            baseUrl: healthBaseUrl === baseUrl ? baseUrl : healthBaseUrl,
            healthEndpoint: same(row[at.health_endpoint] as string, last?.health?.healthEndpoint),
          },
  };
  const contexts = row[at.context_module_ids] as string[] | null;
  if (contexts) for (let n = 0; n < contexts.length; n += 1) contexts[n] = same(contexts[n], previous?.moduleIds[n]);
  return { view, moduleIds: contexts ?? (moduleId ? [moduleId] : []) };
}
