/** One member of a network as the API shows it. */
export interface NetworkMemberView {
  serviceSlug: string;
  launchOrder: number;
  waitForBuild: boolean;
  dependsOn: string[];
  env: unknown[];
}

/** One active network (with its members) as `GET /service-networks` shows it. */
export interface NetworkView {
  id: string;
  name: string;
  moduleId: string;
  moduleVersion: number;
  checksum: string;
  definition: Record<string, unknown>;
  members: NetworkMemberView[];
  createdAt: string;
  updatedAt: string;
}

/** Active networks at one registry index, in network id order. */
export interface NetworksRead {
  index: number;
  networks: NetworkView[];
}

/**
 * Where the network reads come from: the shared tables (`NetworksQuery`) or the in-process
 * store (`LocalRegistry`). `NetworkDirectory` caches and serialises the views from either.
 */
export abstract class NetworksSource {
  /** Every active network, or only `networkId` (none if it has no active record). */
  abstract loadNetworks(networkId: string | null): Promise<NetworksRead>;
}
