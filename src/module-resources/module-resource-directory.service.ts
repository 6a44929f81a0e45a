import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
import { RegistryIndex } from '../registry-cache/registry-index';

interface ResourceRow {
  registry_index: string;
  resource_type: string | null;
  resource_id: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** The resources (services, networks) a module owns, from `module_resource_contexts`; cached. */
@Injectable()
export class ModuleResourceDirectory {
  constructor(
    private readonly cache: RegistryCache,
    private readonly dataSource: DataSource,
  ) {}

  resources(moduleId: string): Promise<JsonView> {
    return this.cache.get(`modules:resources:${moduleId}`, { kind: 'module', id: moduleId }, async () => {
      const rows: ResourceRow[] = await this.dataSource.query(
        `SELECT idx.value AS registry_index, c.resource_type, c.resource_id, c.metadata, c.created_at, c.updated_at
           FROM (SELECT ${RegistryIndex.CURRENT_SQL} AS value) idx
           LEFT JOIN module_resource_contexts c ON c.module_id = $1
          ORDER BY c.resource_type, c.resource_id`,
        [moduleId],
      );
      const data = rows
        .filter((row) => row.resource_type !== null)
        .map((row) => ({
          resourceType: row.resource_type,
          resourceId: row.resource_id,
          metadata: row.metadata,
          createdAt: row.created_at.toISOString(),
          updatedAt: row.updated_at.toISOString(),
        }));
      if (data.length === 0) throw new NotFoundException(`module '${moduleId}' has no registered resources`);
      return JsonView.of(
        {
          data,
          meta: {
            moduleId,
            total: data.length,
            services: data.filter((resource) => resource.resourceType === 'service').length,
            networks: data.filter((resource) => resource.resourceType === 'network').length,
          },
        },
        Number(rows[0].registry_index),
      );
    });
  }
}
