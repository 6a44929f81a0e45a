import { ServiceSource, ServiceStatus, SnapshotStatus } from './service.entity';

/** The latest health check of a service as its view shows it (`health`; the history adds version and metadata). */
export interface ServiceHealthView {
  /** The effective status: it changes only after the thresholds' checks in a row. */
  status: SnapshotStatus;
  /** What this check itself saw. */
  observedStatus: SnapshotStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the effective status last changed (null for checks stored before thresholds existed). */
  since: string | null;
  /** The observed status changed more than 3 times in the last 10 checks. */
  flapping: boolean;
  statusMessage: string | null;
  checkedAt: string;
  latencyMs: number | null;
  statusCode: number | null;
  baseUrl: string;
  healthEndpoint: string;
}

/** One service as the API shows it (`GET /services` items and `GET /services/:slug`). */
export interface ServiceView {
  id: string;
  slug: string;
  displayName: string;
  kind: string;
  baseUrl: string;
  source: ServiceSource;
  moduleId: string | null;
  status: ServiceStatus;
  statusMessage: string | null;
  capabilities: unknown;
  metadata: Record<string, unknown>;
  lastHealthyAt: string | null;
  createdAt: string;
  updatedAt: string;
  manifest: { moduleId: string; moduleVersion: number; checksum: string } | null;
  /** The latest health snapshot, null before the first check. */
  health: ServiceHealthView | null;
}

/** A service with what the list filters need beside its view. */
export interface RegistryService {
  view: ServiceView;
  /** Modules whose resource contexts name this service (drives `?moduleId=`). */
  moduleIds: string[];
}

/**
 * All services at one registry index: the dataset every services view is derived from. Read
 * from Postgres at `readIndex`, then patched in place by writes' upserts (`dataset-patch.ts`),
 * which move `index` on.
 */
export interface ServicesDataset {
  index: number;
  readonly readIndex: number;
  /** In slug order (code-unit order, whatever the database's collation). */
  services: RegistryService[];
  bySlug: Map<string, RegistryService>;
  /** The index of the last upsert applied to each patched slug (an older one arriving late is ignored). */
  patchedAt: Map<string, number>;
  /** Each service's view as JSON, made once per view object (lists are joined from these). */
  json: WeakMap<ServiceView, string>;
}

/** The dataset of `services` (in slug order) at `index`. */
export function servicesDataset(index: number, services: RegistryService[]): ServicesDataset {
  return {
    index,
    readIndex: index,
    services,
    bySlug: new Map(services.map((service) => [service.view.slug, service])),
    patchedAt: new Map(),
    json: new WeakMap(),
  };
}

/** The view of `service` as JSON text, serialised once per view. */
export function serviceJson(dataset: ServicesDataset, service: RegistryService): string {
  let json = dataset.json.get(service.view);
  if (json === undefined) {
    json = JSON.stringify(service.view);
    dataset.json.set(service.view, json);
  }
  return json;
}

/** One manifest version of a service as `GET /services/:slug/manifests` shows it. */
export interface ManifestVersionView {
  id: number;
  moduleId: string;
  moduleVersion: number;
  serviceSlug: string;
  checksum: string;
  active: boolean;
  definition: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  supersededAt: string | null;
}

/** Every manifest version of one slug, newest first, at one registry index. */
export interface ManifestHistory {
  index: number;
  /** Whether the slug has a registry entry (an external service has no manifest history). */
  registered: boolean;
  versions: ManifestVersionView[];
}
