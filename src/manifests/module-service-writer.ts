import { ConflictException, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ServiceEntity } from '../services/service.entity';
import { moduleServiceId } from '../services/service-identity';
import { ServiceRows } from '../services/service-rows';
import { ServiceEntry } from './manifest.types';

/** Who holds a slug that a module wants: another module, or an external registration. */
export interface SlugOwner {
  slug: string;
  owner: { kind: 'module'; moduleId: string } | { kind: 'external' };
}

/**
 * The import's writes of `services` rows (the registry's current entries) from the module's
 * resolved manifest definitions, inside the import's transaction.
 */
@Injectable()
export class ModuleServiceWriter {
  constructor(private readonly rows: ServiceRows) {}

  /**
   * Slugs among `slugs` whose `services` row belongs to something other than `moduleId`.
   * Hand SQL: the slugs as one array and the filter in the statement; TypeORM's `find` with
   * `In(slugs)` built a parameter per slug and hydrated every row of the module (10,000
   * entities for an import that finds no conflict).
   */
  async foreignOwners(manager: EntityManager, moduleId: string, slugs: string[]): Promise<SlugOwner[]> {
    if (slugs.length === 0) return [];
    const rows: { slug: string; source: string; module_id: string | null }[] = await manager.query(
      `SELECT slug, source, module_id FROM services
        WHERE slug = ANY($1::text[]) AND (source <> 'module' OR module_id IS DISTINCT FROM $2)
        ORDER BY slug`,
      [slugs, moduleId],
    );
    return rows.map((row) => ({ slug: row.slug, owner: row.source === 'module' ? { kind: 'module', moduleId: row.module_id! } : { kind: 'external' } }));
  }

  /** Slugs among `slugs` that have no `services` row (to be restored from the manifest), in the order given. */
  async missing(manager: EntityManager, slugs: string[]): Promise<string[]> {
    if (slugs.length === 0) return [];
    const rows: { slug: string }[] = await manager.query(
      `SELECT wanted.slug FROM unnest($1::text[]) WITH ORDINALITY AS wanted(slug, position)
        WHERE NOT EXISTS (SELECT 1 FROM services WHERE services.slug = wanted.slug)
        ORDER BY wanted.position`,
      [slugs],
    );
    return rows.map((row) => row.slug);
  }

  /** Inserts or updates the rows of the module's services given, in one statement. */
  async upsert(manager: EntityManager, moduleId: string, definitions: ServiceEntry[]): Promise<void> {
    const written = await this.rows.upsertMany(
      manager,
      definitions.map((definition) => ({
        id: moduleServiceId(moduleId, definition.slug),
        slug: definition.slug,
        displayName: definition.displayName,
        kind: definition.kind,
        baseUrl: definition.baseUrl,
        healthEndpoint: definition.healthEndpoint,
        source: 'module',
        moduleId,
        capabilities: definition.capabilities,
        metadata: definition.metadata,
      })),
    );
    // The ownership check ran under the module lock; only a concurrent registration gets here.
    const taken = definitions.find((definition) => !written.has(definition.slug));
    if (taken) throw new ConflictException(`service slug '${taken.slug}' was just registered by someone else`);
  }

  /** Removes module services from the active registry (their health snapshots go with them). */
  async remove(manager: EntityManager, moduleId: string, slugs: string[]): Promise<void> {
    if (slugs.length === 0) return;
    await manager.delete(ServiceEntity, { moduleId, slug: In(slugs) });
  }
}
