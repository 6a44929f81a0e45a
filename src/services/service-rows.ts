import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { DEFAULT_HEALTH_ENDPOINT, externalServiceId } from './service-identity';
import { assertPatchChangesSomething, moduleOwnsSlugMessage, RegisterResult } from './service-writer';

/**
 * The SQL of the API's writes to the `services` table, one unit of work per call on the
 * DataSource it is given (the app's, or the dual-write mirror's in local mode). Publishes
 * nothing: the caller does, after the commit.
 */
@Injectable()
export class ServiceRows {
  async register(dataSource: DataSource, input: RegisterServiceDto): Promise<RegisterResult> {
    return dataSource.transaction((manager) => this.upsertExternal(manager, input));
  }

  async patch(dataSource: DataSource, slug: string, patch: PatchServiceDto): Promise<void> {
    assertPatchChangesSomething(patch);
    const assignments: string[] = [];
    const values: unknown[] = [slug];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      assignments.push(`${column} = $${values.length}${cast}`);
    };
    if (patch.baseUrl !== undefined) {
      set('base_url', patch.baseUrl);
      assignments.push(`next_health_check_at = CASE WHEN base_url IS DISTINCT FROM $${values.length} THEN now() ELSE next_health_check_at END`);
    }
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.statusMessage !== undefined) set('status_message', patch.statusMessage);
    if (patch.capabilities !== undefined) set('capabilities', JSON.stringify(patch.capabilities), '::jsonb');
    if (patch.metadata !== undefined) set('metadata', JSON.stringify(patch.metadata), '::jsonb');
    if (patch.lastHealthyAt !== undefined) set('last_healthy_at', patch.lastHealthyAt, '::timestamptz');
    const [, affected] = await dataSource.query(
      `UPDATE services SET ${assignments.join(', ')}, updated_at = now() WHERE slug = $1`,
      values,
    );
    if (affected === 0) throw new NotFoundException(`service '${slug}' is not registered`);
  }

  /**
   * One statement inserts or updates the row, so concurrent registrations of a new slug need
   * no retry; the `WHERE` of the update leaves a module's row alone, and no row back means a
   * module owns the slug. `xmax = 0` holds only for a row this statement inserted.
   */
  private async upsertExternal(manager: EntityManager, input: RegisterServiceDto): Promise<RegisterResult> {
    const [activeManifest] = await manager.query(
      `SELECT module_id FROM service_manifests WHERE service_slug = $1 AND superseded_at IS NULL`,
      [input.slug],
    );
    if (activeManifest) throw new ConflictException(moduleOwnsSlugMessage(input.slug, activeManifest.module_id));
    const [row]: { created: boolean }[] = await manager.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, health_endpoint, source, capabilities, metadata, next_health_check_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'external', $7::jsonb, $8::jsonb, now())
       ON CONFLICT (slug) DO UPDATE SET
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
         updated_at = now()
       WHERE services.source = 'external'
       RETURNING (xmax = 0) AS created`,
      [
        externalServiceId(input.slug),
        input.slug,
        input.displayName,
        input.kind,
        input.baseUrl,
        input.healthEndpoint ?? DEFAULT_HEALTH_ENDPOINT,
        input.capabilities === undefined ? null : JSON.stringify(input.capabilities),
        JSON.stringify(input.metadata ?? {}),
      ],
    );
    if (!row) {
      const [owner] = await manager.query(`SELECT module_id FROM services WHERE slug = $1`, [input.slug]);
      throw new ConflictException(moduleOwnsSlugMessage(input.slug, owner.module_id));
    }
    return { created: row.created, slug: input.slug };
  }
}
