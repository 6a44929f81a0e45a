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
