import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';

const UNIQUE_VIOLATION = '23505';

export interface RegisterResult {
  created: boolean;
  slug: string;
}

/** Writes to the `services` table from the API: external registrations and operator patches. */
@Injectable()
export class ServiceWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: InvalidationBus,
  ) {}

  /**
   * Registers an external service, or updates it if it is already registered as external.
   * A slug that a module owns is a conflict.
   */
  async register(input: RegisterServiceDto): Promise<RegisterResult> {
    let result: RegisterResult;
    try {
      result = await this.dataSource.transaction((manager) => this.upsertExternal(manager, input));
    } catch (error) {
      // Two registrations of one new slug raced: the loser updates the winner's row.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      result = await this.dataSource.transaction((manager) => this.upsertExternal(manager, input));
    }
    await this.bus.publish({ reason: 'service-register', services: [input.slug] });
    return result;
  }

  /** Applies an operator's patch; an unknown slug is a 404, an empty patch a 400. */
  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
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
    if (assignments.length === 0) {
      throw new BadRequestException('the patch changes nothing: give at least one of baseUrl, status, statusMessage, capabilities, metadata, lastHealthyAt');
    }
    const [, affected] = await this.dataSource.query(
      `UPDATE services SET ${assignments.join(', ')}, updated_at = now() WHERE slug = $1`,
      values,
    );
    if (affected === 0) throw new NotFoundException(`service '${slug}' is not registered`);
    await this.bus.publish({ reason: 'service-patch', services: [slug] });
  }

  private async upsertExternal(manager: EntityManager, input: RegisterServiceDto): Promise<RegisterResult> {
    const [existing] = await manager.query(`SELECT source, module_id FROM services WHERE slug = $1 FOR UPDATE`, [input.slug]);
    const [activeManifest] = await manager.query(
      `SELECT module_id FROM service_manifests WHERE service_slug = $1 AND superseded_at IS NULL`,
      [input.slug],
    );
    const owner = existing?.source === 'module' ? existing.module_id : activeManifest?.module_id;
    if (owner) {
      throw new ConflictException(`service slug '${input.slug}' is owned by module '${owner}'; change it through the module's manifest`);
    }
    const params = [
      input.slug,
      input.displayName,
      input.kind,
      input.baseUrl,
      input.healthEndpoint ?? '/healthz',
      input.capabilities === undefined ? null : JSON.stringify(input.capabilities),
      JSON.stringify(input.metadata ?? {}),
    ];
    if (!existing) {
      await manager.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, health_endpoint, source, capabilities, metadata, next_health_check_at)
         VALUES ('external:' || $1, $1, $2, $3, $4, $5, 'external', $6::jsonb, $7::jsonb, now())`,
        params,
      );
      return { created: true, slug: input.slug };
    }
    await manager.query(
      `UPDATE services
          SET display_name = $2, kind = $3, base_url = $4, health_endpoint = $5, capabilities = $6::jsonb, metadata = $7::jsonb,
              next_health_check_at = CASE WHEN base_url IS DISTINCT FROM $4 OR health_endpoint IS DISTINCT FROM $5
                                          THEN now() ELSE next_health_check_at END,
              updated_at = now()
        WHERE slug = $1`,
      params,
    );
    return { created: false, slug: input.slug };
  }
}
