import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
import { RegistryIndex } from '../registry-cache/registry-index';

interface NetworkRow {
  registry_index: string;
  id: string | null;
  network_id: string;
  module_id: string;
  module_version: number;
  name: string;
  definition: Record<string, unknown>;
  checksum: string;
  created_at: Date;
  updated_at: Date;
  members: Array<{
    serviceSlug: string;
    launchOrder: number;
    waitForBuild: boolean;
    dependsOn: string[];
    env: unknown[];
  }>;
}

/** Reads of the active service networks (with their members), cached per replica. */
@Injectable()
export class NetworkDirectory {
  private static readonly SQL = `
    SELECT idx.value AS registry_index, n.id, n.network_id, n.module_id, n.module_version, n.name,
           n.definition, n.checksum, n.created_at, n.updated_at,
           COALESCE(mem.members, '[]'::jsonb) AS members
      FROM (SELECT ${RegistryIndex.CURRENT_SQL} AS value) idx
      LEFT JOIN service_networks n ON n.superseded_at IS NULL AND ($1::text IS NULL OR n.network_id = $1)
      LEFT JOIN LATERAL (
             SELECT jsonb_agg(jsonb_build_object(
                      'serviceSlug', service_slug, 'launchOrder', launch_order, 'waitForBuild', wait_for_build,
                      'dependsOn', depends_on, 'env', env_vars) ORDER BY launch_order, service_slug) AS members
               FROM service_network_members
              WHERE service_network_id = n.id) mem ON true
     ORDER BY n.network_id`;

  constructor(
    private readonly cache: RegistryCache,
    private readonly dataSource: DataSource,
  ) {}

  /** `GET /service-networks`. */
  list(): Promise<JsonView> {
    return this.cache.get('networks:list', { kind: 'networks' }, async () => {
      const rows = await this.load(null);
      const data = rows.filter((row) => row.id !== null).map(toNetwork);
      return JsonView.of({ data, meta: { total: data.length } }, Number(rows[0].registry_index));
    });
  }

  /** `GET /service-networks/:id`. */
  get(networkId: string): Promise<JsonView> {
    return this.cache.get(`networks:item:${networkId}`, { kind: 'network', id: networkId }, async () => {
      const rows = await this.load(networkId);
      if (rows[0].id === null) throw new NotFoundException(`service network '${networkId}' is not registered`);
      return JsonView.of({ data: toNetwork(rows[0]) }, Number(rows[0].registry_index));
    });
  }

  private load(networkId: string | null): Promise<NetworkRow[]> {
    return this.dataSource.query(NetworkDirectory.SQL, [networkId]);
  }
}

function toNetwork(row: NetworkRow) {
  return {
    id: row.network_id,
    name: row.name,
    moduleId: row.module_id,
    moduleVersion: row.module_version,
    checksum: row.checksum,
    definition: row.definition,
    members: row.members,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
