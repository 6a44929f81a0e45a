import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ServiceEntry } from '../manifests/manifest.types';
import { DEFAULT_HEALTH_ENDPOINT, moduleServiceId } from './service-identity';

/** Who holds a slug that a module wants: another module, or an external registration. */
export interface SlugOwner {
  slug: string;
  owner: { kind: 'module'; moduleId: string } | { kind: 'external' };
}

/**
 * Writes the `services` rows of module services (the registry's current entries) from
 * their resolved manifest definitions, inside the import's transaction.
 */
@Injectable()
export class ModuleServiceWriter {
  /** Slugs among `slugs` whose `services` row belongs to something other than `moduleId`. */
  async foreignOwners(manager: EntityManager, moduleId: string, slugs: string[]): Promise<SlugOwner[]> {
    if (slugs.length === 0) return [];
    const rows: { slug: string; source: string; module_id: string | null }[] = await manager.query(
      `SELECT slug, source, module_id FROM services
        WHERE slug = ANY($1::text[]) AND (source <> 'module' OR module_id IS DISTINCT FROM $2)
        ORDER BY slug`,
      [slugs, moduleId],
    );
    return rows.map((row) => ({
      slug: row.slug,
      owner: row.source === 'module' ? { kind: 'module', moduleId: row.module_id! } : { kind: 'external' },
    }));
  }

  /** Slugs among `slugs` that have no `services` row (to be restored from the manifest). */
  async missing(manager: EntityManager, slugs: string[]): Promise<string[]> {
    if (slugs.length === 0) return [];
    const rows: { slug: string }[] = await manager.query(
      `SELECT wanted.slug FROM unnest($1::text[]) AS wanted(slug)
        WHERE NOT EXISTS (SELECT 1 FROM services WHERE services.slug = wanted.slug)`,
      [slugs],
    );
    return rows.map((row) => row.slug);
  }

  /**
   * Inserts or updates the row of a module service. Health state (status, last healthy
   * time, snapshot version) is kept on update; a new row, or a new base URL or health
   * endpoint, is due for a health check at once.
   */
  async upsert(manager: EntityManager, moduleId: string, definition: ServiceEntry): Promise<void> {
    await manager.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, health_endpoint, source, module_id, capabilities, metadata, next_health_check_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'module', $7, $8::jsonb, $9::jsonb, now())
       ON CONFLICT (slug) DO UPDATE SET
         id = EXCLUDED.id,
         display_name = EXCLUDED.display_name,
         kind = EXCLUDED.kind,
         base_url = EXCLUDED.base_url,
         health_endpoint = EXCLUDED.health_endpoint,
         capabilities = EXCLUDED.capabilities,
         metadata = EXCLUDED.metadata,
         next_health_check_at = CASE
           WHEN services.base_url IS DISTINCT FROM EXCLUDED.base_url
             OR services.health_endpoint IS DISTINCT FROM EXCLUDED.health_endpoint
           THEN now() ELSE services.next_health_check_at END,
         updated_at = now()`,
      [
        moduleServiceId(moduleId, definition.slug),
        definition.slug,
        definition.displayName,
        definition.kind,
        definition.baseUrl,
        definition.healthEndpoint ?? DEFAULT_HEALTH_ENDPOINT,
        moduleId,
        definition.capabilities === undefined ? null : JSON.stringify(definition.capabilities),
        JSON.stringify(definition.metadata ?? {}),
      ],
    );
  }

  /** Removes module services from the active registry (their health snapshots go with them). */
  async remove(manager: EntityManager, moduleId: string, slugs: string[]): Promise<void> {
    if (slugs.length === 0) return;
    await manager.query(`DELETE FROM services WHERE module_id = $1 AND slug = ANY($2::text[])`, [moduleId, slugs]);
  }
}
