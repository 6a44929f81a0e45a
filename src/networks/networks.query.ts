import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RegistryIndex } from '../registry-cache/registry-index';
import { NetworkMemberView, NetworksRead } from './network-view';

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
  members: NetworkMemberView[];
}

/**
 * The active service networks with their members and the registry index, in one statement
 * (hand-written SQL: members aggregated per network and the index in the same round trip).
 */
@Injectable()
export class NetworksQuery {
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

  constructor(private readonly dataSource: DataSource) {}

  /** Every active network, or only `networkId` (none if it has no active record). */
  async loadNetworks(networkId: string | null): Promise<NetworksRead> {
    const rows: NetworkRow[] = await this.dataSource.query(NetworksQuery.SQL, [networkId]);
    const networks = rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        id: row.network_id,
        name: row.name,
        moduleId: row.module_id,
        moduleVersion: row.module_version,
        checksum: row.checksum,
        definition: row.definition,
        members: row.members,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      }));
    return { index: Number(rows[0].registry_index), networks };
  }
}
