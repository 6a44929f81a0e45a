import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RegistryIndex } from '../registry-cache/registry-index';
import { ModuleResourcesRead, ModuleResourceView } from './module-resource-view';

interface ResourceRow {
  registry_index: string;
  resource_type: ModuleResourceView['resourceType'] | null;
  resource_id: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** A module's resources from `module_resource_contexts` (hand-written SQL: the rows and the registry index in one statement). */
@Injectable()
export class ModuleResourcesQuery {
  constructor(private readonly dataSource: DataSource) {}

  async loadModuleResources(moduleId: string): Promise<ModuleResourcesRead> {
    const rows: ResourceRow[] = await this.dataSource.query(
      `SELECT idx.value AS registry_index, c.resource_type, c.resource_id, c.metadata, c.created_at, c.updated_at
         FROM (SELECT ${RegistryIndex.CURRENT_SQL} AS value) idx
         LEFT JOIN module_resource_contexts c ON c.module_id = $1
        ORDER BY c.resource_type, c.resource_id`,
      [moduleId],
    );
    const resources = rows
      .filter((row) => row.resource_type !== null)
      .map((row) => ({
        resourceType: row.resource_type!,
        resourceId: row.resource_id,
        metadata: row.metadata,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      }));
    return { index: Number(rows[0].registry_index), resources };
  }
}
