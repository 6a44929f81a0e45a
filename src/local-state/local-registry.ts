import { ConflictException, NotFoundException } from '@nestjs/common';
import { HealthTarget, ProbeResult } from '../health/health-prober';
import { RecordedSnapshot, SnapshotPage } from '../health/health-snapshot.repository';
import { HealthSnapshotView } from '../health/health-snapshot.view';
import { manifestChecksum } from '../manifests/manifest-checksum';
import { ResolvedModule } from '../manifests/manifest.types';
import { ModuleResourcesRead, ModuleResourcesSource, ModuleResourceView } from '../module-resources/module-resources-source';
import { memberRows } from '../networks/network-importer';
import { NetworksRead, NetworksSource, NetworkView } from '../networks/networks-source';
import { DEFAULT_HEALTH_ENDPOINT, externalServiceId, moduleServiceId } from '../services/service-identity';
import { PatchServiceDto } from '../services/dto/patch-service.dto';
import { RegisterServiceDto } from '../services/dto/register-service.dto';
import { ServiceSource, ServiceStatus } from '../services/service.entity';
import { RegistryService, ServicesDataset, servicesDataset, ServiceView } from '../services/service-view';
import { assertPatchChangesSomething, moduleOwnsSlugMessage, RegisterResult } from '../services/service-writer';
import { ManifestHistory, ManifestVersionView, ServicesSource } from '../services/services-source';
import { jsonbOrder } from './jsonb-order';

/** Health snapshots kept per service (oldest dropped first). */
export const LOCAL_SNAPSHOTS_PER_SERVICE = 500;

interface ServiceRecord {
  id: string;
  slug: string;
  displayName: string;
  kind: string;
  baseUrl: string;
  healthEndpoint: string;
  source: ServiceSource;
  moduleId: string | null;
  status: ServiceStatus;
  statusMessage: string | null;
  capabilities: unknown;
  metadata: Record<string, unknown>;
  lastHealthyAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Highest snapshot version handed out for the slug. */
  healthVersion: number;
}

interface ManifestRecord {
  id: number;
  moduleId: string;
  moduleVersion: number;
  serviceSlug: string;
  definition: Record<string, unknown>;
  checksum: string;
  createdAt: Date;
  updatedAt: Date;
  supersededAt: Date | null;
}

interface ContextRecord {
  moduleId: string;
  resourceType: ModuleResourceView['resourceType'];
  resourceId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The registry kept in this process, for the rollback path (`APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0`)
 * and as the second half of dual writes. It holds what the shared tables hold, with the same
 * rules: module services (seeded from module directories, manifest version 1 with the
 * importer's checksum), external registrations, operator patches, networks with their
 * members, module resource contexts, and a bounded health snapshot history per service.
 *
 * Every change takes the next value of the store's own change index, so a read reports the
 * index its data belongs to. Answers the same views as the shared tables' queries, JSON
 * values in jsonb key order, so a client cannot tell the stores apart by shape.
 */
export class LocalRegistry implements ServicesSource, NetworksSource, ModuleResourcesSource {
  private readonly services = new Map<string, ServiceRecord>();
  private readonly manifests: ManifestRecord[] = [];
  private readonly networks = new Map<string, NetworkView>();
  private readonly contexts: ContextRecord[] = [];
  private readonly snapshots = new Map<string, HealthSnapshotView[]>();
  private readonly modules = new Set<string>();
  private nextManifestId = 1;
  private changeIndex = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The store's change index: the number of changes made to it. */
  get index(): number {
    return this.changeIndex;
  }

  get moduleIds(): string[] {
    return [...this.modules].sort();
  }

  get serviceCount(): number {
    return this.services.size;
  }

  /**
   * Adds a module's services and networks as its version 1. A slug or network id that
   * another module or an external registration holds is a conflict; nothing is added then.
   */
  seedModule(module: ResolvedModule): void {
    const { moduleId } = module;
    if (this.modules.has(moduleId)) throw new ConflictException(`module '${moduleId}' is already in the local registry`);
    const conflicts: string[] = [];
    for (const { slug } of module.services) {
      const holder = this.services.get(slug);
      if (holder) conflicts.push(holder.source === 'module' ? `service '${slug}' is owned by module '${holder.moduleId}'` : `service '${slug}' is registered as an external service`);
    }
    for (const { id } of module.networks) {
      const holder = this.networks.get(id);
      if (holder) conflicts.push(`network '${id}' is owned by module '${holder.moduleId}'`);
    }
    if (conflicts.length > 0) {
      throw new ConflictException(conflicts.length === 1 ? conflicts[0] : [`module '${moduleId}' conflicts with the registry:`, ...conflicts].join('\n'));
    }

    const at = this.now();
    const version = 1;
    this.modules.add(moduleId);
    for (const { slug, definition } of module.services) {
      this.manifests.push({
        id: this.nextManifestId++,
        moduleId,
        moduleVersion: version,
        serviceSlug: slug,
        definition: jsonbOrder({ ...definition }),
        checksum: manifestChecksum(definition),
        createdAt: at,
        updatedAt: at,
        supersededAt: null,
      });
      this.services.set(slug, {
        id: moduleServiceId(moduleId, slug),
        slug,
        displayName: definition.displayName,
        kind: definition.kind,
        baseUrl: definition.baseUrl,
        healthEndpoint: definition.healthEndpoint ?? DEFAULT_HEALTH_ENDPOINT,
        source: 'module',
        moduleId,
        status: 'unknown',
        statusMessage: null,
        capabilities: definition.capabilities === undefined ? null : jsonbOrder(definition.capabilities),
        metadata: jsonbOrder(definition.metadata ?? {}),
        lastHealthyAt: null,
        createdAt: at,
        updatedAt: at,
        healthVersion: 0,
      });
      this.contexts.push({ moduleId, resourceType: 'service', resourceId: slug, metadata: { moduleVersion: version }, createdAt: at, updatedAt: at });
    }
    for (const { id, definition } of module.networks) {
      this.networks.set(id, {
        id,
        name: definition.name,
        moduleId,
        moduleVersion: version,
        checksum: manifestChecksum(definition),
        definition: jsonbOrder({ ...definition }),
        members: memberRows(definition)
          .sort((a, b) => a.launch_order - b.launch_order || compare(a.slug, b.slug))
          .map((member) =>
            jsonbOrder({
              serviceSlug: member.slug,
              launchOrder: member.launch_order,
              waitForBuild: member.wait_for_build,
              dependsOn: member.depends_on,
              env: member.env_vars,
            }),
          ),
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
      });
      this.contexts.push({ moduleId, resourceType: 'network', resourceId: id, metadata: { moduleVersion: version }, createdAt: at, updatedAt: at });
    }
    this.changed();
  }

  /** `POST /services`: registers or updates an external service; a module's slug is a 409. */
  register(input: RegisterServiceDto): RegisterResult {
    const existing = this.services.get(input.slug);
    const owner = existing?.source === 'module' ? existing.moduleId : this.activeManifest(input.slug)?.moduleId;
    if (owner) throw new ConflictException(moduleOwnsSlugMessage(input.slug, owner));
    const at = this.now();
    const fields = {
      displayName: input.displayName,
      kind: input.kind,
      baseUrl: input.baseUrl,
      healthEndpoint: input.healthEndpoint ?? DEFAULT_HEALTH_ENDPOINT,
      capabilities: input.capabilities === undefined ? null : jsonbOrder(input.capabilities),
      metadata: jsonbOrder(input.metadata ?? {}),
    };
    if (existing) {
      Object.assign(existing, fields, { updatedAt: at });
    } else {
      this.services.set(input.slug, {
        id: externalServiceId(input.slug),
        slug: input.slug,
        ...fields,
        source: 'external',
        moduleId: null,
        status: 'unknown',
        statusMessage: null,
        lastHealthyAt: null,
        createdAt: at,
        updatedAt: at,
        healthVersion: 0,
      });
    }
    this.changed();
    return { created: !existing, slug: input.slug };
  }

  /** `PATCH /services/:slug`: an unknown slug is a 404, an empty patch a 400. */
  patch(slug: string, patch: PatchServiceDto): void {
    assertPatchChangesSomething(patch);
    const service = this.services.get(slug);
    if (!service) throw new NotFoundException(`service '${slug}' is not registered`);
    if (patch.baseUrl !== undefined) service.baseUrl = patch.baseUrl;
    if (patch.status !== undefined) service.status = patch.status;
    if (patch.statusMessage !== undefined) service.statusMessage = patch.statusMessage;
    if (patch.capabilities !== undefined) service.capabilities = jsonbOrder(patch.capabilities);
    if (patch.metadata !== undefined) service.metadata = jsonbOrder(patch.metadata);
    if (patch.lastHealthyAt !== undefined) service.lastHealthyAt = patch.lastHealthyAt === null ? null : new Date(patch.lastHealthyAt);
    service.updatedAt = this.now();
    this.changed();
  }

  /** Every service's health endpoint, in slug order. */
  healthTargets(): HealthTarget[] {
    return [...this.services.values()].sort((a, b) => compare(a.slug, b.slug)).map(toTarget);
  }

  healthTarget(slug: string): HealthTarget | null {
    const service = this.services.get(slug);
    return service ? toTarget(service) : null;
  }

  /**
   * Records finished checks: each gets the next snapshot version of its slug and sets the
   * service's status, message and (when healthy) last healthy time. A result for a service
   * that is gone, or whose base URL or health endpoint changed while it was checked,
   * describes nothing current and is dropped. Returns what was recorded.
   */
  recordHealth(results: ProbeResult[]): RecordedSnapshot[] {
    const recorded: RecordedSnapshot[] = [];
    for (const result of results) {
      const service = this.services.get(result.target.slug);
      if (!service || service.baseUrl !== result.target.baseUrl || service.healthEndpoint !== result.target.healthEndpoint) continue;
      service.healthVersion += 1;
      const snapshot: HealthSnapshotView = {
        version: service.healthVersion,
        status: result.status,
        statusMessage: result.statusMessage,
        checkedAt: result.checkedAt.toISOString(),
        latencyMs: result.latencyMs,
        statusCode: result.statusCode,
        baseUrl: result.target.baseUrl,
        healthEndpoint: result.target.healthEndpoint,
        metadata: jsonbOrder(result.metadata),
      };
      const history = this.snapshots.get(service.slug) ?? [];
      history.push(snapshot);
      if (history.length > LOCAL_SNAPSHOTS_PER_SERVICE) history.splice(0, history.length - LOCAL_SNAPSHOTS_PER_SERVICE);
      this.snapshots.set(service.slug, history);
      service.status = result.status;
      service.statusMessage = result.statusMessage;
      if (result.status === 'healthy' && (service.lastHealthyAt === null || service.lastHealthyAt < result.checkedAt)) {
        service.lastHealthyAt = result.checkedAt;
      }
      recorded.push({ slug: service.slug, snapshot });
    }
    if (recorded.length > 0) this.changed();
    return recorded;
  }

  /** One page of a service's snapshots, newest first; null if the service is not registered. */
  healthHistory(slug: string, limit: number, beforeVersion: number | null): SnapshotPage | null {
    if (!this.services.has(slug)) return null;
    const newestFirst = [...(this.snapshots.get(slug) ?? [])].reverse().filter((snapshot) => beforeVersion === null || snapshot.version < beforeVersion);
    const page = newestFirst.slice(0, limit);
    return { snapshots: page, nextBeforeVersion: newestFirst.length > limit ? page[page.length - 1].version : null };
  }

  async loadServices(): Promise<ServicesDataset> {
    const services = [...this.services.values()].sort((a, b) => compare(a.slug, b.slug)).map((service) => this.toRegistryService(service));
    return servicesDataset(this.changeIndex, services);
  }

  async loadManifestHistory(slug: string): Promise<ManifestHistory> {
    const versions: ManifestVersionView[] = this.manifests
      .filter((manifest) => manifest.serviceSlug === slug)
      .sort((a, b) => b.moduleVersion - a.moduleVersion || b.id - a.id)
      .map((manifest) => ({
        id: manifest.id,
        moduleId: manifest.moduleId,
        moduleVersion: manifest.moduleVersion,
        serviceSlug: manifest.serviceSlug,
        checksum: manifest.checksum,
        active: manifest.supersededAt === null,
        definition: manifest.definition,
        createdAt: manifest.createdAt.toISOString(),
        updatedAt: manifest.updatedAt.toISOString(),
        supersededAt: manifest.supersededAt?.toISOString() ?? null,
      }));
    return { index: this.changeIndex, registered: this.services.has(slug), versions };
  }

  async loadNetworks(networkId: string | null): Promise<NetworksRead> {
    const networks = [...this.networks.values()]
      .filter((network) => networkId === null || network.id === networkId)
      .sort((a, b) => compare(a.id, b.id));
    return { index: this.changeIndex, networks };
  }

  async loadModuleResources(moduleId: string): Promise<ModuleResourcesRead> {
    const resources = this.contexts
      .filter((context) => context.moduleId === moduleId)
      .sort((a, b) => compare(a.resourceType, b.resourceType) || compare(a.resourceId, b.resourceId))
      .map((context) => ({
        resourceType: context.resourceType,
        resourceId: context.resourceId,
        metadata: context.metadata,
        createdAt: context.createdAt.toISOString(),
        updatedAt: context.updatedAt.toISOString(),
      }));
    return { index: this.changeIndex, resources };
  }

  private toRegistryService(service: ServiceRecord): RegistryService {
    const manifest = this.activeManifest(service.slug);
    const latest = this.snapshots.get(service.slug)?.at(-1);
    const view: ServiceView = {
      id: service.id,
      slug: service.slug,
      displayName: service.displayName,
      kind: service.kind,
      baseUrl: service.baseUrl,
      source: service.source,
      moduleId: service.moduleId,
      status: service.status,
      statusMessage: service.statusMessage,
      capabilities: service.capabilities,
      metadata: service.metadata,
      lastHealthyAt: service.lastHealthyAt?.toISOString() ?? null,
      createdAt: service.createdAt.toISOString(),
      updatedAt: service.updatedAt.toISOString(),
      manifest: manifest ? { moduleId: manifest.moduleId, moduleVersion: manifest.moduleVersion, checksum: manifest.checksum } : null,
      health: latest
        ? {
            status: latest.status,
            statusMessage: latest.statusMessage,
            checkedAt: latest.checkedAt,
            latencyMs: latest.latencyMs,
            statusCode: latest.statusCode,
            baseUrl: latest.baseUrl,
            healthEndpoint: latest.healthEndpoint,
          }
        : null,
    };
    const contextModules = this.contexts
      .filter((context) => context.resourceType === 'service' && context.resourceId === service.slug)
      .map((context) => context.moduleId)
      .sort(compare);
    return { view, moduleIds: contextModules.length > 0 ? contextModules : service.moduleId ? [service.moduleId] : [] };
  }

  private activeManifest(slug: string): ManifestRecord | undefined {
    return this.manifests.find((manifest) => manifest.serviceSlug === slug && manifest.supersededAt === null);
  }

  private changed(): void {
    this.changeIndex += 1;
  }
}

function toTarget(service: ServiceRecord): HealthTarget {
  return { slug: service.slug, baseUrl: service.baseUrl, healthEndpoint: service.healthEndpoint };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
