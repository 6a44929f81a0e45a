import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { ServiceEntity, ServiceSource } from './service.entity';
import { HealthThresholdOverride } from './service-health-thresholds';
import { DEFAULT_HEALTH_ENDPOINT, externalServiceId } from './service-identity';

/** A `services` row as its owner (a module's import, or an external registration) declares it. */
export interface DeclaredService {
  id: string;
  slug: string;
  displayName: string;
  kind: string;
  baseUrl: string;
  healthEndpoint?: string;
  source: ServiceSource;
  moduleId: string | null;
  capabilities?: unknown;
  metadata?: Record<string, unknown>;
  /** The service's own health thresholds (absent: the defaults). */
  health?: HealthThresholdOverride | null;
}

export interface RegisterResult {
  created: boolean;
  slug: string;
}

/** The fields a patch may change. */
const PATCHABLE = ['baseUrl', 'status', 'statusMessage', 'capabilities', 'metadata', 'lastHealthyAt', 'health'] as const;
/** The fields a patch writes to the column of the same name. */
const PATCHED_COLUMNS = ['baseUrl', 'status', 'statusMessage', 'capabilities', 'metadata', 'lastHealthyAt'] as const;

/**
 * The writes to the `services` table, each on the DataSource or transaction it is given (the
 * registry's, or the dual-write private store's). Publishes nothing: callers do, after the
 * commit.
 */
@Injectable()
export class ServiceRows {
  /**
   * Inserts the row or updates it, in one statement, so concurrent writers of a new slug need
   * no retry. Null when another owner holds the slug (see `upsertMany`).
   */
  async upsert(manager: EntityManager, service: DeclaredService): Promise<{ created: boolean } | null> {
    return (await this.upsertMany(manager, [service])).get(service.slug) ?? null;
  }

  /**
   * Inserts or updates many rows in one statement (one round trip however many: the import
   * writes a module's services this way). Only a row's own owner updates it (`services.id`
   * names the owner: a module's service or an external one); health state (status, last
   * healthy time, snapshot version) is kept; a new row, or a new base URL or health endpoint,
   * is due for a check at once. Hand-written SQL: the rows as arrays through `unnest`, the
   * conditional update and the created flag (`xmax = 0` holds only for a row this statement
   * inserted) have no query-builder form. Returns the slugs written (a slug another owner
   * holds is missing) and whether each was created.
   */
  async upsertMany(manager: EntityManager, services: DeclaredService[]): Promise<Map<string, { created: boolean }>> {
    if (services.length === 0) return new Map();
    const rows: { slug: string; created: boolean }[] = await manager.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, health_endpoint, source, module_id, capabilities, metadata,
                             health_failures_before_unhealthy, health_successes_before_healthy, next_health_check_at)
       SELECT d.id, d.slug, d.display_name, d.kind, d.base_url, d.health_endpoint, d.source, d.module_id, d.capabilities::jsonb, d.metadata::jsonb,
              d.failures_before_unhealthy, d.successes_before_healthy, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::int[])
           AS d(id, slug, display_name, kind, base_url, health_endpoint, source, module_id, capabilities, metadata, failures_before_unhealthy, successes_before_healthy)
       ON CONFLICT (slug) DO UPDATE SET
         display_name = EXCLUDED.display_name,
         kind = EXCLUDED.kind,
         base_url = EXCLUDED.base_url,
         health_endpoint = EXCLUDED.health_endpoint,
         capabilities = EXCLUDED.capabilities,
         metadata = EXCLUDED.metadata,
         health_failures_before_unhealthy = EXCLUDED.health_failures_before_unhealthy,
         health_successes_before_healthy = EXCLUDED.health_successes_before_healthy,
         next_health_check_at = CASE
           WHEN services.base_url IS DISTINCT FROM EXCLUDED.base_url
             OR services.health_endpoint IS DISTINCT FROM EXCLUDED.health_endpoint
           THEN now() ELSE services.next_health_check_at END,
         updated_at = now()
       WHERE services.id = EXCLUDED.id
       RETURNING slug, (xmax = 0) AS created`,
      [
        services.map((service) => service.id),
        services.map((service) => service.slug),
        services.map((service) => service.displayName),
        services.map((service) => service.kind),
        services.map((service) => service.baseUrl),
        services.map((service) => service.healthEndpoint ?? DEFAULT_HEALTH_ENDPOINT),
        services.map((service) => service.source),
        services.map((service) => service.moduleId),
        services.map((service) => (service.capabilities === undefined ? null : JSON.stringify(service.capabilities))),
        services.map((service) => JSON.stringify(service.metadata ?? {})),
        services.map((service) => service.health?.failuresBeforeUnhealthy ?? null),
        services.map((service) => service.health?.successesBeforeHealthy ?? null),
      ],
    );
    return new Map(rows.map((row) => [row.slug, { created: row.created }]));
  }

  /** Registers an external service, or updates it if it is registered as external; a module's slug is a conflict. */
  register(dataSource: DataSource, input: RegisterServiceDto): Promise<RegisterResult> {
    return dataSource.transaction(async (manager) => {
      // SQL on the manifests' table: services/ does not import manifests/ (the importer imports this file).
      const [manifest]: { module_id: string }[] = await manager.query(
        `SELECT module_id FROM service_manifests WHERE service_slug = $1 AND superseded_at IS NULL`,
        [input.slug],
      );
      if (manifest) throw new ConflictException(moduleOwnsSlugMessage(input.slug, manifest.module_id));
      const row = await this.upsert(manager, { ...input, id: externalServiceId(input.slug), source: 'external', moduleId: null });
      if (!row) {
        const owner = await manager.findOne(ServiceEntity, { select: { moduleId: true }, where: { slug: input.slug } });
        throw new ConflictException(moduleOwnsSlugMessage(input.slug, owner?.moduleId ?? 'another owner'));
      }
      return { created: row.created, slug: input.slug };
    });
  }

  /** Applies an operator's patch; an unknown slug is a 404. */
  async patch(dataSource: DataSource, slug: string, patch: PatchServiceDto): Promise<void> {
    const changes: QueryDeepPartialEntity<ServiceEntity> = {};
    for (const field of PATCHED_COLUMNS) if (patch[field] !== undefined) Object.assign(changes, { [field]: patch[field] });
    if (patch.health !== undefined) {
      changes.healthFailuresBeforeUnhealthy = patch.health?.failuresBeforeUnhealthy ?? null;
      changes.healthSuccessesBeforeHealthy = patch.health?.successesBeforeHealthy ?? null;
    }
    // A new base URL makes the service due for a check (the CASE reads the row's old value).
    if (patch.baseUrl !== undefined) changes.nextHealthCheckAt = () => 'CASE WHEN base_url IS DISTINCT FROM :baseUrl THEN now() ELSE next_health_check_at END';
    const result = await dataSource
      .createQueryBuilder()
      .update(ServiceEntity)
      .set(changes)
      .where('slug = :slug', { slug, baseUrl: patch.baseUrl })
      .execute();
    if (result.affected === 0) throw new NotFoundException(`service '${slug}' is not registered`);
  }
}

/** A patch that names no field is refused before any store is touched. */
export function assertPatchChangesSomething(patch: PatchServiceDto): void {
  if (PATCHABLE.every((field) => patch[field] === undefined)) {
    throw new BadRequestException(`the patch changes nothing: give at least one of ${PATCHABLE.join(', ')}`);
  }
}

/** The conflict of registering a slug that a module owns. */
export function moduleOwnsSlugMessage(slug: string, moduleId: string): string {
  return `service slug '${slug}' is owned by module '${moduleId}'; change it through the module's manifest`;
}
