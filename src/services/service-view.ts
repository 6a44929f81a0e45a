import type { HealthSnapshotView } from '../health/health-snapshot.view';
import { ServiceSource, ServiceStatus } from './service.entity';

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
  /** The latest health snapshot (without its version and metadata), null before the first check. */
  health: Omit<HealthSnapshotView, 'version' | 'metadata'> | null;
}

/** A service with what the list filters need beside its view. */
export interface RegistryService {
  view: ServiceView;
  /** Modules whose resource contexts name this service (drives `?moduleId=`). */
  moduleIds: string[];
}

/** All services at one registry index: the dataset every services view is derived from. */
export interface ServicesDataset {
  index: number;
  services: RegistryService[];
  bySlug: Map<string, RegistryService>;
}

/** The dataset of `services` (in slug order) at `index`. */
export function servicesDataset(index: number, services: RegistryService[]): ServicesDataset {
  return { index, services, bySlug: new Map(services.map((service) => [service.view.slug, service])) };
}
