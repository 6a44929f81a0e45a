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

  /** Slugs among `slugs` whose `services` row belongs to something other than `moduleId`. */
  async foreignOwners(manager: EntityManager, moduleId: string, slugs: string[]): Promise<SlugOwner[]> {
    if (slugs.length === 0) return [];
    const rows = await manager.find(ServiceEntity, {
      select: { slug: true, source: true, moduleId: true },
      where: { slug: In(slugs) },
      order: { slug: 'ASC' },
    });
    return rows
      .filter((row) => row.source !== 'module' || row.moduleId !== moduleId)
      .map((row) => ({ slug: row.slug, owner: row.source === 'module' ? { kind: 'module', moduleId: row.moduleId! } : { kind: 'external' } }));
  }

  /** Slugs among `slugs` that have no `services` row (to be restored from the manifest). */
  async missing(manager: EntityManager, slugs: string[]): Promise<string[]> {
    if (slugs.length === 0) return [];
    const present = await manager.find(ServiceEntity, { select: { slug: true }, where: { slug: In(slugs) } });
    const found = new Set(present.map((row) => row.slug));
    return slugs.filter((slug) => !found.has(slug));
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
