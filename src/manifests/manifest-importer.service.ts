import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { manifestChecksum } from './manifest-checksum';
import { ResolvedModule, ResolvedService } from './manifest.types';
import { ModuleContextsService } from './module-contexts.service';
import { lockModule } from './module-lock';
import { ModuleVersionEntity } from './module-version.entity';
import { ModuleServiceWriter } from './module-service-writer';
import { NetworkImporter } from './network-importer';
import { ServiceManifestEntity } from './service-manifest.entity';
import { countPlan, needsNewRow, PlanAction, PlanCounts, PlannedItem, planVersions, supersedes } from './version-plan';

export interface ImportOptions {
  /** Compute the plan under the module lock, write nothing. */
  dryRun?: boolean;
  /**
   * The database to import into: the registry's (the default), or the dual-write private
   * store, which no replica reads, so an import there publishes nothing.
   */
  into?: DataSource;
  /** Give up waiting for another import of the module after this long (`--lock-timeout`); default: wait. */
  lockTimeoutMs?: number;
}

export interface ImportResult {
  moduleId: string;
  /** The module's version after the import (the current one when nothing changed). */
  version: number;
  /** Whether a new module version was written (or, in a dry run, would be). */
  changed: boolean;
  dryRun: boolean;
  services: PlanCounts & { total: number };
  networks: PlanCounts & { total: number };
  /** Every service slug and network id with what the import does (did) to it. */
  plan: { services: { slug: string; action: PlanAction }[]; networks: { id: string; action: PlanAction }[] };
}

type ServiceDefinition = ResolvedService['definition'];

/** What one import transaction did: its result, and what the invalidation must name. */
interface ImportOutcome {
  result: ImportResult;
  touchedServices: string[];
  touchedNetworks: string[];
  /** The module's context rows changed (e.g. repaired) even if no definition did. */
  contextsChanged: boolean;
}

/** Unique indexes that only a concurrent import of another module can trip. */
const OWNERSHIP_CONSTRAINTS: Record<string, string> = {
  service_manifests_active_slug_key: 'a service slug of this module was just imported by another module',
  services_slug_key: 'a service slug of this module was just registered by someone else',
  service_networks_active_network_key: 'a network id of this module was just imported by another module',
};

/**
 * Imports one resolved module (SPEC §4) in one transaction, under a per-module advisory
 * lock: unchanged definitions are left alone; if anything changed the module gets version
 * `previous + 1`, new and changed slugs/networks get rows at that version, their old rows
 * and the rows of slugs no longer declared are superseded (kept for audit); `services` and
 * `module_resource_contexts` follow in the same transaction. One invalidation is published
 * after commit. Independent of the CLI: it takes a module and returns a result.
 */
@Injectable()
export class ManifestImporterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: InvalidationBus,
    private readonly networks: NetworkImporter,
    private readonly serviceRows: ModuleServiceWriter,
    private readonly contexts: ModuleContextsService,
  ) {}

  async import(module: ResolvedModule, options: ImportOptions = {}): Promise<ImportResult> {
    const dryRun = options.dryRun ?? false;
    const target = options.into ?? this.dataSource;
    const runner = target.createQueryRunner();
    await runner.connect();
    let outcome: ImportOutcome;
    try {
      await runner.startTransaction();
      outcome = await this.importWithin(runner.manager, module, dryRun, options.lockTimeoutMs);
      if (dryRun) await runner.rollbackTransaction();
      else await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw translateConstraintError(error, module.moduleId);
    } finally {
      await runner.release();
    }
    const { result, touchedServices, touchedNetworks, contextsChanged } = outcome;
    const published = target === this.dataSource;
    if (published && !dryRun && (touchedServices.length > 0 || touchedNetworks.length > 0 || contextsChanged)) {
      await this.bus.publish({ reason: 'backfill', services: touchedServices, networks: touchedNetworks, modules: [module.moduleId] });
    }
    return result;
  }

  private async importWithin(manager: EntityManager, module: ResolvedModule, dryRun: boolean, lockTimeoutMs?: number): Promise<ImportOutcome> {
    const { moduleId } = module;
    await lockModule(manager, moduleId, { timeoutMs: lockTimeoutMs });

    const slugs = module.services.map((service) => service.slug);
    await this.assertOwnership(manager, moduleId, slugs, module.networks.map((network) => network.id));

    const servicePlan = await this.planServices(manager, module);
    const networkPlan = await this.networks.plan(manager, moduleId, module.networks);
    const changed = [...servicePlan, ...networkPlan].some((item) => item.action !== 'unchanged');
    const current = await this.currentVersion(manager, moduleId);
    const version = changed ? current + 1 : current;

    // Entries whose manifest did not change but whose `services` row is gone are restored.
    const unchangedSlugs = servicePlan.filter((item) => item.action === 'unchanged').map((item) => item.key);
    const restored = dryRun ? [] : await this.serviceRows.missing(manager, unchangedSlugs);

    let contextsChanged = false;
    if (!dryRun) {
      if (changed) {
        await this.recordVersion(manager, moduleId, version, servicePlan, networkPlan);
        await this.writeServiceVersions(manager, moduleId, version, servicePlan);
        await this.networks.apply(manager, moduleId, version, networkPlan);
      }
      const restoredSet = new Set(restored);
      await this.serviceRows.upsert(
        manager,
        moduleId,
        servicePlan.filter((item) => restoredSet.has(item.key)).map((item) => item.incoming!.definition),
      );
      const contexts = await this.contexts.syncWithin(manager, moduleId);
      contextsChanged = contexts.written + contexts.deleted > 0;
    }

    const touchedServices = [...servicePlan.filter((item) => item.action !== 'unchanged').map((item) => item.key), ...restored];
    const touchedNetworks = networkPlan.filter((item) => item.action !== 'unchanged').map((item) => item.key);
    const result: ImportResult = {
      moduleId,
      version,
      changed,
      dryRun,
      services: { ...countPlan(servicePlan), total: module.services.length },
      networks: { ...countPlan(networkPlan), total: module.networks.length },
      plan: {
        services: servicePlan.map((item) => ({ slug: item.key, action: item.action })),
        networks: networkPlan.map((item) => ({ id: item.key, action: item.action })),
      },
    };
    return { result, touchedServices, touchedNetworks, contextsChanged };
  }

  /** A slug or network id held by another module (or registered as external) stops the import. */
  private async assertOwnership(manager: EntityManager, moduleId: string, slugs: string[], networkIds: string[]): Promise<void> {
    const conflicts: string[] = [];
    // Hand SQL: the slugs as one array parameter; TypeORM's `find` with `In(slugs)` built a
    // parameter per slug (10,000 for a large module) for a statement that usually finds nothing.
    const manifestOwners: { service_slug: string; module_id: string }[] = slugs.length
      ? await manager.query(
          `SELECT service_slug, module_id FROM service_manifests
            WHERE superseded_at IS NULL AND service_slug = ANY($1::text[]) AND module_id <> $2
            ORDER BY service_slug`,
          [slugs, moduleId],
        )
      : [];
    for (const row of manifestOwners) conflicts.push(`service slug '${row.service_slug}' is owned by module '${row.module_id}'`);
    const reported = new Set(manifestOwners.map((row) => row.service_slug));
    for (const { slug, owner } of await this.serviceRows.foreignOwners(manager, moduleId, slugs)) {
      if (reported.has(slug)) continue;
      conflicts.push(
        owner.kind === 'external'
          ? `service slug '${slug}' is registered as an external service`
          : `service slug '${slug}' is owned by module '${owner.moduleId}'`,
      );
    }
    for (const { networkId, moduleId: owner } of await this.networks.foreignOwners(manager, moduleId, networkIds)) {
      conflicts.push(`network '${networkId}' is owned by module '${owner}'`);
    }
    if (conflicts.length > 0) {
      throw new ConflictException(
        conflicts.length === 1 ? conflicts[0] : [`module '${moduleId}' conflicts with the registry:`, ...conflicts].join('\n'),
      );
    }
  }

  private async planServices(manager: EntityManager, module: ResolvedModule): Promise<PlannedItem<ServiceDefinition>[]> {
    // Hand SQL: TypeORM's find spent ~60 ms building and hydrating 10,000 entities for three columns.
    const active: { id: string; service_slug: string; checksum: string }[] = await manager.query(
      'SELECT id, service_slug, checksum FROM service_manifests WHERE module_id = $1 AND superseded_at IS NULL',
      [module.moduleId],
    );
    return planVersions(
      module.services.map((service) => ({ key: service.slug, checksum: manifestChecksum(service.definition), definition: service.definition })),
      active.map((row) => ({ rowId: row.id, key: row.service_slug, checksum: row.checksum })),
    );
  }

  /** The module's highest version so far (0: never imported): `module_versions` is its version counter. */
  private async currentVersion(manager: EntityManager, moduleId: string): Promise<number> {
    return (await manager.maximum(ModuleVersionEntity, 'moduleVersion', { moduleId })) ?? 0;
  }

  /** The module's new version in `module_versions` (its version counter), with what changed. */
  private async recordVersion(
    manager: EntityManager,
    moduleId: string,
    version: number,
    servicePlan: PlannedItem<unknown>[],
    networkPlan: PlannedItem<unknown>[],
  ): Promise<void> {
    await manager.insert(ModuleVersionEntity, { moduleId, moduleVersion: version, summary: { services: countPlan(servicePlan), networks: countPlan(networkPlan) } });
  }

  private async writeServiceVersions(
    manager: EntityManager,
    moduleId: string,
    version: number,
    planned: PlannedItem<ServiceDefinition>[],
  ): Promise<void> {
    // Supersede first: the partial unique index allows one active row per slug.
    const superseded = planned.filter(supersedes).map((item) => item.active.rowId);
    if (superseded.length > 0) {
      await manager.update(ServiceManifestEntity, { id: In(superseded) }, { supersededAt: () => 'now()' });
    }
    const added = planned.filter(needsNewRow);
    if (added.length > 0) {
      // Hand SQL: the rows as one JSON array, one statement and no RETURNING. TypeORM's insert
      // of the same rows builds one parameter per value and parses every returned row back (at
      // 10,000 services ~15 % of the CLI's CPU) and breaks past 65,535 parameters; a text array
      // of the definitions (the statement before this one) had pg escape every quote of every
      // definition and Postgres unescape it again (~40 % slower at 10,000 services).
      await manager.query(
        `INSERT INTO service_manifests (module_id, module_version, service_slug, definition, checksum)
         SELECT $1::text, $2::int, d.slug, d.definition, d.checksum
           FROM json_to_recordset($3::json) AS d(slug text, definition jsonb, checksum text)`,
        [moduleId, version, JSON.stringify(added.map((item) => ({ slug: item.key, definition: item.incoming.definition, checksum: item.incoming.checksum })))],
      );
    }
    await this.serviceRows.upsert(
      manager,
      moduleId,
      added.map((item) => item.incoming.definition),
    );
    await this.serviceRows.remove(
      manager,
      moduleId,
      planned.filter((item) => item.action === 'removed').map((item) => item.key),
    );
  }
}

/** A unique violation from a concurrent import of another module becomes a clear conflict. */
function translateConstraintError(error: unknown, moduleId: string): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driverError = error.driverError as { code?: string; constraint?: string; detail?: string };
  const reason = driverError.code === '23505' && driverError.constraint ? OWNERSHIP_CONSTRAINTS[driverError.constraint] : undefined;
  if (!reason) return error;
  return new ConflictException(`module '${moduleId}' could not be imported: ${reason} (${driverError.detail ?? driverError.constraint})`);
}
