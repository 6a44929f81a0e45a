import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
import { RegistryIndex } from '../registry-cache/registry-index';
import { ServicesDataset } from './service-view';
import { ServicesDatasetQuery } from './services-dataset.query';

export interface ServiceFilters {
  moduleId?: string;
  source?: string;
  status?: string;
  kind?: string;
}

const DATASET_KEY = 'services:dataset';
const REGISTRY = { kind: 'registry' } as const;

/**
 * Reads of the services registry, served from the replica cache: the dataset (one query)
 * and every JSON view derived from it are built once per change, so a cached read does no
 * database work and no serialisation.
 */
@Injectable()
export class ServiceDirectory {
  constructor(
    private readonly cache: RegistryCache,
    private readonly datasetQuery: ServicesDatasetQuery,
    private readonly dataSource: DataSource,
  ) {}

  /** `GET /services`: the filtered list with its meta. */
  list(filters: ServiceFilters): Promise<JsonView> {
    const normalised = Object.fromEntries(
      (['moduleId', 'source', 'status', 'kind'] as const).filter((name) => filters[name] !== undefined).map((name) => [name, filters[name]]),
    );
    return this.cache.get(`services:list:${JSON.stringify(normalised)}`, REGISTRY, async () => {
      const dataset = await this.dataset();
      const matching = dataset.services.filter(
        (service) =>
          (normalised.moduleId === undefined || service.moduleIds.includes(normalised.moduleId)) &&
          (normalised.source === undefined || service.view.source === normalised.source) &&
          (normalised.status === undefined || service.view.status === normalised.status) &&
          (normalised.kind === undefined || service.view.kind === normalised.kind),
      );
      const data = matching.map((service) => service.view);
      const healthyCount = data.filter((service) => service.status === 'healthy').length;
      const unhealthyCount = data.filter((service) => service.status === 'degraded' || service.status === 'unreachable').length;
      return JsonView.of(
        {
          data,
          meta: {
            total: data.length,
            healthyCount,
            unhealthyCount,
            sourceCounts: {
              module: data.filter((service) => service.source === 'module').length,
              external: data.filter((service) => service.source === 'external').length,
            },
            filters: normalised,
          },
        },
        dataset.index,
      );
    });
  }

  /**
   * `GET /services?index=N&wait=…`: answers as soon as the registry index passes
   * `afterIndex`, or when `waitMs` has passed, with the list as it is then.
   */
  async watch(filters: ServiceFilters, afterIndex: number, waitMs: number): Promise<JsonView> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const view = await this.list(filters);
      const remaining = deadline - Date.now();
      if (view.index > afterIndex || remaining <= 0 || this.cache.isClosing) return view;
      await this.cache.waitForChange(Math.max(afterIndex, view.index), remaining);
    }
  }

  /** `GET /services/:slug`. */
  get(slug: string): Promise<JsonView> {
    return this.cache.get(`services:item:${slug}`, REGISTRY, async () => {
      const dataset = await this.dataset();
      const service = dataset.bySlug.get(slug);
      if (!service) throw new NotFoundException(`service '${slug}' is not registered`);
      return JsonView.of({ data: service.view }, dataset.index);
    });
  }

  /** `GET /services/:slug/manifests`: every manifest version of the slug, newest first. */
  manifests(slug: string): Promise<JsonView> {
    return this.cache.get(`services:manifests:${slug}`, { kind: 'service', slug }, async () => {
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
      const versions = rows.filter((row) => row.id !== null);
      if (versions.length === 0 && Number(rows[0].registered) === 0) {
        throw new NotFoundException(`service '${slug}' is not registered and has no manifest history`);
      }
      const data = versions.map((row) => ({
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
      return JsonView.of({ data, meta: { slug, total: data.length } }, Number(rows[0].registry_index));
    });
  }

  private async dataset(): Promise<ServicesDataset> {
    const dataset = await this.cache.get(DATASET_KEY, REGISTRY, () => this.datasetQuery.load());
    this.cache.observeIndex(dataset.index);
    return dataset;
  }
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
