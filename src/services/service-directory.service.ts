import { Injectable, NotFoundException, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { BodyPool } from '../registry-cache/body-pool';
import { JsonView } from '../registry-cache/json-view';
import { DeltaHealth, MAX_ENTRIES, PatchBatchEntry, RegistryCache } from '../registry-cache/registry-cache';
import { patchDataset } from './dataset-patch';
import { RegistryService, serviceJson, ServicesDataset } from './service-view';
import { ServicesDatasetQuery } from './services-dataset.query';

export interface ServiceFilters {
  moduleId?: string;
  source?: string;
  status?: string;
  kind?: string;
}

const FILTER_NAMES = ['moduleId', 'source', 'status', 'kind'] as const;
const DATASET_KEY = 'services:dataset';
const REGISTRY = { kind: 'registry' } as const;
/** The dataset is read again in the background when it reaches this share of the cache's maximum age. */
const REFRESH_AT_AGE = 0.75;

/**
 * Reads of the services registry, served from the replica cache: the dataset (one statement)
 * and every JSON view derived from it are built once per change, so a cached read does no
 * database work and no serialisation. Writes that carry upserts (health results, registrations,
 * patches) patch the cached dataset in place; the list views read since are re-serialised
 * from it at once (each service's JSON is kept, so that is a join, not a full serialisation),
 * the others dropped and derived again on their next read, still without a query.
 */
@Injectable()
export class ServiceDirectory implements OnModuleInit, OnModuleDestroy {
  /** Cached list views and their filters, to re-serialise after a patch. */
  private readonly lists = new Map<string, ServiceFilters>();
  private buildsInFlight = 0;
  /** Upserts applied while a dataset was being read: applied again to that dataset when it lands. */
  private patchesDuringBuild: PatchBatchEntry[] = [];
  private stopPatching: (() => void) | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing = false;
  /** Memory for list bodies, reused as lists are re-serialised (a list of 10,000 services is ~8 MB). */
  private readonly bodies = new BodyPool();

  constructor(
    private readonly cache: RegistryCache,
    private readonly source: ServicesDatasetQuery,
  ) {}

  onModuleInit(): void {
    this.stopPatching = this.cache.onPatch((batch) => this.patch(batch));
    const every = Math.floor(this.cache.maxAgeMs * REFRESH_AT_AGE);
    if (every > 0) {
      this.refreshTimer = setInterval(() => void this.refresh(), every);
      this.refreshTimer.unref();
    }
  }

  onModuleDestroy(): void {
    this.stopPatching?.();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
  }

  /**
   * Reads the dataset again before it reaches its maximum age, while the current one is still
   * served (keeping the entries of unchanged services, see `reloadServices`), and derives the
   * cached lists from it. Patches keep the dataset current; this is the bound on how long a lost
   * message can leave it stale, without a read ever waiting for the full statement (0.3–0.5 s at
   * 10,000 services) when the age runs out.
   */
  private async refresh(): Promise<void> {
    const current = this.cache.peek<ServicesDataset>(DATASET_KEY);
    if (this.refreshing || current === undefined) return;
    this.refreshing = true;
    try {
      const dataset = await this.cache.refresh(DATASET_KEY, REGISTRY, () => this.readDataset(() => this.source.reloadServices(current)));
      if (!dataset) return;
      this.cache.observeIndex(dataset.index);
      for (const [key, filters] of this.lists) {
        const previous = this.cache.peek<JsonView>(key);
        if (!previous) this.lists.delete(key);
        else this.cache.put(key, REGISTRY, listView(dataset, filters, this.bodies).follow(previous, true));
      }
    } finally {
      this.refreshing = false;
    }
  }

  /** The cache key of a list, and its filters with the unset ones left out. */
  static listKey(filters: ServiceFilters): { key: string; normalised: ServiceFilters } {
    const normalised: ServiceFilters = {};
    for (const name of FILTER_NAMES) if (filters[name] !== undefined) normalised[name] = filters[name];
    return { key: `services:list:${JSON.stringify(normalised)}`, normalised };
  }

  /** `GET /services` when its view is cached (a hit), else undefined: no waiting, no query. */
  cachedList(filters: ServiceFilters): JsonView | undefined {
    return this.cache.hit<JsonView>(ServiceDirectory.listKey(filters).key);
  }

  /** `GET /services/:slug` when its view is cached. */
  cachedItem(slug: string): JsonView | undefined {
    return this.cache.hit<JsonView>(`services:item:${slug}`);
  }

  /** `GET /services`: the filtered list with its meta. */
  list(filters: ServiceFilters): Promise<JsonView> {
    const { key, normalised } = ServiceDirectory.listKey(filters);
    if (!this.lists.has(key)) {
      if (this.lists.size >= MAX_ENTRIES) this.forgetUncachedLists();
      this.lists.set(key, normalised);
    }
    return this.cache.get(key, REGISTRY, async () => listView(await this.dataset(), normalised, this.bodies));
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

  /**
   * `GET /services/changes?since=N&wait=…`: what changed after index `since` (each changed
   * service's current view, and the slugs that are gone) and the index this answer is at; as
   * soon as there is a change, or after `waitMs` with nothing. With `health: 'changes'` a
   * service whose only change was a new health check does not count (the answer still moves
   * `index` past such checks). `resync: true` when this replica cannot tell what changed since
   * then (too far behind, or a write that named everything): the watcher then reads
   * `GET /services` again.
   */
  async changes(since: number, waitMs: number, health: DeltaHealth): Promise<JsonView> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const dataset = await this.dataset();
      const index = dataset.index;
      const changed = index > since ? this.cache.changesSince(since, index, health) : { slugs: new Set<string>() };
      const remaining = deadline - Date.now();
      if (changed === 'resync') return JsonView.of({ index, since, resync: true, upserts: [], removals: [] }, index);
      if (changed.slugs.size > 0 || remaining <= 0 || this.cache.isClosing) {
        const slugs = [...changed.slugs].sort();
        const upserts = slugs.flatMap((slug) => dataset.bySlug.get(slug) ?? []);
        const removals = slugs.filter((slug) => !dataset.bySlug.has(slug));
        return JsonView.ofJson(
          `{"index":${index},"since":${since},"resync":false,"upserts":[${upserts.map((service) => serviceJson(dataset, service)).join(',')}],"removals":${JSON.stringify(removals)}}`,
          index,
        );
      }
      await this.cache.waitForChange(Math.max(since, index), remaining);
    }
  }

  /** `GET /services/:slug`. */
  get(slug: string): Promise<JsonView> {
    return this.cache.get(`services:item:${slug}`, REGISTRY, async () => {
      const dataset = await this.dataset();
      const service = dataset.bySlug.get(slug);
      if (!service) throw new NotFoundException(`service '${slug}' is not registered`);
      return itemView(dataset, service);
    });
  }

  /**
   * The view of a service a write just read back (the write's response: it never waits for the
   * dataset), in the same bytes as `GET /services/:slug`, at the index this replica knows.
   */
  writtenView(service: RegistryService): JsonView {
    return JsonView.ofJson(`{"data":${JSON.stringify(service.view)}}`, this.cache.index);
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
    const dataset = await this.cache.get(DATASET_KEY, REGISTRY, () => this.readDataset());
    this.cache.observeIndex(dataset.index);
    return dataset;
  }

  private async readDataset(load = () => this.source.loadServices()): Promise<ServicesDataset> {
    this.buildsInFlight += 1;
    try {
      const dataset = await load();
      patchDataset(dataset, this.patchesDuringBuild);
      return dataset;
    } finally {
      this.buildsInFlight -= 1;
      if (this.buildsInFlight === 0) this.patchesDuringBuild = [];
    }
  }

  /** Applies a batch of upserts to the cached dataset and re-derives the views that depend on it. */
  private patch(batch: PatchBatchEntry[]): void {
    if (this.buildsInFlight > 0) this.patchesDuringBuild.push(...batch);
    const dataset = this.cache.peek<ServicesDataset>(DATASET_KEY);
    if (!dataset) {
      // Nothing to patch: the views derived from an older dataset go, the next read builds anew.
      for (const key of this.lists.keys()) this.cache.delete(key);
      for (const { upserts } of batch) for (const upsert of upserts) this.cache.delete(`services:item:${upsert.view.slug}`);
      return;
    }
    const changed = patchDataset(dataset, batch);
    if (changed.length === 0) return;
    for (const slug of changed) this.cache.delete(`services:item:${slug}`);
    const healthOnly = batch.every((entry) => entry.health);
    for (const [key, filters] of this.lists) {
      const previous = this.cache.peek<JsonView>(key);
      if (!previous) this.lists.delete(key);
      else this.cache.replace(key, listView(dataset, filters, this.bodies, previous).follow(previous, healthOnly));
    }
  }

  private forgetUncachedLists(): void {
    for (const key of this.lists.keys()) if (this.cache.peek(key) === undefined) this.lists.delete(key);
  }
}

/**
 * The `GET /services` view of `dataset` under `filters`, joined from each service's JSON into
 * memory from `bodies`; into the memory of `replaced` when that can be handed over (the caller
 * replaces it in the cache at once).
 */
function listView(dataset: ServicesDataset, filters: ServiceFilters, bodies: BodyPool, replaced?: JsonView): JsonView {
  const matching = dataset.services.filter(
    (service) =>
      (filters.moduleId === undefined || service.moduleIds.includes(filters.moduleId)) &&
      (filters.source === undefined || service.view.source === filters.source) &&
      (filters.status === undefined || service.view.status === filters.status) &&
      (filters.kind === undefined || service.view.kind === filters.kind),
  );
  let healthyCount = 0;
  let unhealthyCount = 0;
  let module = 0;
  let external = 0;
  for (const { view } of matching) {
    if (view.status === 'healthy') healthyCount += 1;
    else if (view.status === 'degraded' || view.status === 'unreachable') unhealthyCount += 1;
    if (view.source === 'module') module += 1;
    else if (view.source === 'external') external += 1;
  }
  const meta = { total: matching.length, healthyCount, unhealthyCount, sourceCounts: { module, external }, filters };
  // The same bytes as JSON.stringify({ data, meta }), without serialising unchanged services
  // again, written straight into the body (no intermediate string of the whole list).
  const head = '{"data":[';
  const tail = `],"meta":${JSON.stringify(meta)}}`;
  let length = head.length + Buffer.byteLength(tail) + Math.max(0, matching.length - 1);
  const parts = new Array<string>(matching.length);
  for (let n = 0; n < matching.length; n += 1) {
    // Measured as soon as it is made: JSON.stringify returns a rope of its builder's pieces,
    // which measuring flattens, so the pieces die young rather than being kept (and copied by
    // the garbage collector) until the last of 10,000 services is serialised.
    parts[n] = serviceJson(dataset, matching[n]);
    length += Buffer.byteLength(parts[n]);
  }
  const pooled = bodies.take(length, replaced?.handOverStore());
  const { body } = pooled;
  let at = body.write(head, 0);
  for (let n = 0; n < parts.length; n += 1) {
    if (n > 0) at += body.write(',', at);
    at += body.write(parts[n], at);
  }
  body.write(tail, at);
  return JsonView.ofBytes(body, dataset.index, pooled);
}

function itemView(dataset: ServicesDataset, service: RegistryService): JsonView {
  return JsonView.ofJson(`{"data":${serviceJson(dataset, service)}}`, dataset.index);
}
