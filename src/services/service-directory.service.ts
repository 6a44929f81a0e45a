import { Injectable, NotFoundException } from '@nestjs/common';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
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
 * Reads of the services registry, served from the replica cache: the dataset (one statement)
 * and every JSON view derived from it are built once per change, so a cached read does no
 * database work and no serialisation.
 */
@Injectable()
export class ServiceDirectory {
  constructor(
    private readonly cache: RegistryCache,
    private readonly source: ServicesDatasetQuery,
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
      const history = await this.source.loadManifestHistory(slug);
      if (history.versions.length === 0 && !history.registered) {
        throw new NotFoundException(`service '${slug}' is not registered and has no manifest history`);
      }
      return JsonView.of({ data: history.versions, meta: { slug, total: history.versions.length } }, history.index);
    });
  }

  /** Every service at one registry index (cached): what the status page and its metrics read too. */
  async dataset(): Promise<ServicesDataset> {
    const dataset = await this.cache.get(DATASET_KEY, REGISTRY, () => this.source.loadServices());
    this.cache.observeIndex(dataset.index);
    return dataset;
  }
}
