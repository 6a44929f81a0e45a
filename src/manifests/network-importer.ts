import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { ServiceNetworkMemberEntity } from '../networks/service-network-member.entity';
import { ServiceNetworkEntity } from '../networks/service-network.entity';
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
    const active = await manager.find(ServiceNetworkEntity, {
      select: { id: true, networkId: true, checksum: true },
      where: { moduleId, supersededAt: IsNull() },
    });
    return planVersions(
      networks.map((network) => ({ key: network.id, checksum: manifestChecksum(network.definition), definition: network.definition })),
      active.map((row) => ({ rowId: row.id, key: row.networkId, checksum: row.checksum })),
    );
  }

  /** Network ids among `networkIds` whose active row belongs to another module. */
  async foreignOwners(manager: EntityManager, moduleId: string, networkIds: string[]): Promise<NetworkOwner[]> {
    if (networkIds.length === 0) return [];
    return manager.find(ServiceNetworkEntity, {
      select: { networkId: true, moduleId: true },
      where: { supersededAt: IsNull(), networkId: In(networkIds), moduleId: Not(moduleId) },
      order: { networkId: 'ASC' },
    });
  }

  /** Supersedes changed and removed networks, then writes the new versions with their members. */
  async apply(manager: EntityManager, moduleId: string, version: number, planned: PlannedItem<NetworkDefinition>[]): Promise<void> {
    const superseded = planned.filter(supersedes).map((item) => item.active.rowId);
    if (superseded.length > 0) {
      await manager.update(ServiceNetworkEntity, { id: In(superseded) }, { supersededAt: () => 'now()' });
    }
    const added = planned.filter(needsNewRow);
    if (added.length === 0) return;
    const inserted = await manager.insert(
      ServiceNetworkEntity,
      added.map(({ incoming: { definition, checksum } }) => ({
        networkId: definition.id,
        moduleId,
        moduleVersion: version,
        name: definition.name,
        definition,
        checksum,
      })),
    );
    const members = added.flatMap(({ incoming }, index) =>
      memberRows(incoming.definition).map((member) => ({ ...member, serviceNetworkId: String(inserted.identifiers[index].id) })),
    );
    if (members.length > 0) await manager.insert(ServiceNetworkMemberEntity, members);
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
      serviceSlug: member.serviceSlug,
      launchOrder: member.launchOrder ?? (position >= 0 ? position : listed.length + index),
      waitForBuild: member.waitForBuild ?? false,
      dependsOn: member.dependsOn ?? [],
      envVars: member.env ?? [],
    };
  });
}
