import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { manifestChecksum } from './manifest-checksum';
import { NetworkEntry, ResolvedNetwork } from './manifest.types';
import { needsNewRow, PlannedItem, planVersions, supersedes } from './version-plan';

export type NetworkDefinition = ResolvedNetwork['definition'];

/** A network id that another module's active network row holds. */
export interface NetworkOwner {
  networkId: string;
  moduleId: string;
}

/**
 * The network half of a module import: `service_networks` rows versioned like service
 * manifests (a changed network gets a new row at the module's new version, the old row is
 * superseded), each new row with its `service_network_members`. Runs inside the import's
 * transaction, under its module lock.
 */
@Injectable()
export class NetworkImporter {
  /** Compares the module's declared networks with its active rows. */
  async plan(manager: EntityManager, moduleId: string, networks: ResolvedNetwork[]): Promise<PlannedItem<NetworkDefinition>[]> {
    const active: { id: string; network_id: string; checksum: string }[] = await manager.query(
      `SELECT id, network_id, checksum FROM service_networks WHERE module_id = $1 AND superseded_at IS NULL`,
      [moduleId],
    );
    return planVersions(
      networks.map((network) => ({ key: network.id, checksum: manifestChecksum(network.definition), definition: network.definition })),
      active.map((row) => ({ rowId: String(row.id), key: row.network_id, checksum: row.checksum })),
    );
  }

  /** Network ids among `networkIds` whose active row belongs to another module. */
  async foreignOwners(manager: EntityManager, moduleId: string, networkIds: string[]): Promise<NetworkOwner[]> {
    if (networkIds.length === 0) return [];
    const rows: { network_id: string; module_id: string }[] = await manager.query(
      `SELECT network_id, module_id FROM service_networks
        WHERE superseded_at IS NULL AND network_id = ANY($1::text[]) AND module_id <> $2
        ORDER BY network_id`,
      [networkIds, moduleId],
    );
    return rows.map((row) => ({ networkId: row.network_id, moduleId: row.module_id }));
  }

  /** Supersedes changed and removed networks, then writes the new versions with their members. */
  async apply(manager: EntityManager, moduleId: string, version: number, planned: PlannedItem<NetworkDefinition>[]): Promise<void> {
    const superseded = planned.filter(supersedes).map((item) => item.active.rowId);
    if (superseded.length > 0) {
      await manager.query(
        `UPDATE service_networks SET superseded_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])`,
        [superseded],
      );
    }
    for (const item of planned.filter(needsNewRow)) {
      const { definition, checksum } = item.incoming;
      const [row]: { id: string }[] = await manager.query(
        `INSERT INTO service_networks (network_id, module_id, module_version, name, definition, checksum)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id`,
        [definition.id, moduleId, version, definition.name, JSON.stringify(definition), checksum],
      );
      const members = memberRows(definition);
      await manager.query(
        `INSERT INTO service_network_members (service_network_id, service_slug, launch_order, wait_for_build, depends_on, env_vars)
         SELECT $1, member.slug, member.launch_order, member.wait_for_build, member.depends_on, member.env_vars
           FROM jsonb_to_recordset($2::jsonb)
             AS member(slug text, launch_order int, wait_for_build boolean, depends_on jsonb, env_vars jsonb)`,
        [row.id, JSON.stringify(members)],
      );
    }
  }
}

/**
 * One member row per network member. Launch order: the member's own `launchOrder`, else its
 * place in the network's `launchOrder` list, else after those, in declaration order.
 */
export function memberRows(network: NetworkEntry) {
  const listed = network.launchOrder ?? [];
  return network.services.map((member, index) => {
    const position = listed.indexOf(member.serviceSlug);
    return {
      slug: member.serviceSlug,
      launch_order: member.launchOrder ?? (position >= 0 ? position : listed.length + index),
      wait_for_build: member.waitForBuild ?? false,
      depends_on: member.dependsOn ?? [],
      env_vars: member.env ?? [],
    };
  });
}
