import { ServicesDataset } from './service-view';

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

/**
 * Where the services reads come from: the shared tables (`ServicesDatasetQuery`) or the
 * in-process store (`LocalRegistry`), chosen by `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE`.
 * `ServiceDirectory` builds, caches and serialises the views from either.
 */
export abstract class ServicesSource {
  /** Every service with its active manifest, latest health and module contexts. */
  abstract loadServices(): Promise<ServicesDataset>;

  abstract loadManifestHistory(slug: string): Promise<ManifestHistory>;
}
