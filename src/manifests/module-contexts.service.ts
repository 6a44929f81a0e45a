import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { lockModule } from './module-lock';

export interface ModuleContextsResult {
  moduleId: string;
  /** Resources the module owns now. */
  services: number;
  networks: number;
  /** Context rows written (new or updated) and deleted. */
  written: number;
  deleted: number;
}

/**
 * `module_resource_contexts`: which services and networks belong to which module, derived
 * from the active manifest and network rows. The import keeps it in step inside its own
 * transaction; `backfill-module-contexts` re-seeds it. A sync that finds everything in
 * place writes nothing.
 */
@Injectable()
export class ModuleContextsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: InvalidationBus,
  ) {}

  /** Re-seeds one module's contexts from its active rows (its own transaction, under the module lock). */
  async reseed(moduleId: string): Promise<ModuleContextsResult> {
    const result = await this.dataSource.transaction(async (manager) => {
      await lockModule(manager, moduleId);
      const [known]: { known: boolean }[] = await manager.query(
        `SELECT EXISTS (SELECT 1 FROM service_manifests WHERE module_id = $1)
             OR EXISTS (SELECT 1 FROM service_networks WHERE module_id = $1)
             OR EXISTS (SELECT 1 FROM module_resource_contexts WHERE module_id = $1) AS known`,
        [moduleId],
      );
      if (!known.known) throw new NotFoundException(`module '${moduleId}' has never been imported`);
      return this.syncWithin(manager, moduleId);
    });
    if (result.written + result.deleted > 0) await this.bus.publish({ reason: 'module-contexts', modules: [moduleId] });
    return result;
  }

  /** Brings one module's contexts in line with its active rows, inside the caller's transaction. */
  async syncWithin(manager: EntityManager, moduleId: string): Promise<ModuleContextsResult> {
    // Counted in the statement: a first import writes a row per service, and returning each
    // one only to count them cost a row of result per service.
    const [{ written }]: { written: number }[] = await manager.query(
      `WITH owned AS (
         SELECT 'service' AS resource_type, service_slug AS resource_id, module_version
           FROM service_manifests WHERE module_id = $1 AND superseded_at IS NULL
         UNION ALL
         SELECT 'network', network_id, module_version
           FROM service_networks WHERE module_id = $1 AND superseded_at IS NULL
       ),
       written AS (
         INSERT INTO module_resource_contexts (module_id, resource_type, resource_id, metadata)
         SELECT $1, resource_type, resource_id, jsonb_build_object('moduleVersion', module_version) FROM owned
         ON CONFLICT (module_id, resource_type, resource_id) DO UPDATE
           SET metadata = EXCLUDED.metadata, updated_at = now()
           WHERE module_resource_contexts.metadata IS DISTINCT FROM EXCLUDED.metadata
         RETURNING 1
       )
       SELECT count(*)::int AS written FROM written`,
      [moduleId],
    );
    // DELETE answers [rows, rowCount] through TypeORM.
    const [, deleted]: [unknown[], number] = await manager.query(
      `DELETE FROM module_resource_contexts context
         WHERE context.module_id = $1
          AND NOT (
            (context.resource_type = 'service' AND EXISTS (
               SELECT 1 FROM service_manifests m
                WHERE m.module_id = $1 AND m.superseded_at IS NULL AND m.service_slug = context.resource_id))
            OR (context.resource_type = 'network' AND EXISTS (
               SELECT 1 FROM service_networks n
                WHERE n.module_id = $1 AND n.superseded_at IS NULL AND n.network_id = context.resource_id)))`,
      [moduleId],
    );
    const [counts]: { services: number; networks: number }[] = await manager.query(
      `SELECT count(*) FILTER (WHERE resource_type = 'service')::int AS services,
              count(*) FILTER (WHERE resource_type = 'network')::int AS networks
         FROM module_resource_contexts WHERE module_id = $1`,
      [moduleId],
    );
    return { moduleId, services: counts.services, networks: counts.networks, written, deleted };
  }
}
