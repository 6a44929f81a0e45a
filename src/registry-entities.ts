import { ServiceHealthLatestEntity } from './health/service-health-latest.entity';
import { ServiceHealthSnapshotEntity } from './health/service-health-snapshot.entity';
import { ModuleResourceContextEntity } from './manifests/module-resource-context.entity';
import { ModuleVersionEntity } from './manifests/module-version.entity';
import { ServiceManifestEntity } from './manifests/service-manifest.entity';
import { ServiceNetworkMemberEntity } from './networks/service-network-member.entity';
import { ServiceNetworkEntity } from './networks/service-network.entity';
import { ServiceEntity } from './services/service.entity';

/** Every entity of the registry schema; the migrations under `migrations/` create their tables. */
export const REGISTRY_ENTITIES = [
  ServiceEntity,
  ServiceManifestEntity,
  ServiceNetworkEntity,
  ServiceNetworkMemberEntity,
  ServiceHealthSnapshotEntity,
  ServiceHealthLatestEntity,
  ModuleResourceContextEntity,
  ModuleVersionEntity,
];
