/** One resource a module owns, as `GET /modules/:moduleId/resources` shows it. */
export interface ModuleResourceView {
  resourceType: 'service' | 'network';
  resourceId: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** A module's resources at one registry index, by type then id. */
export interface ModuleResourcesRead {
  index: number;
  resources: ModuleResourceView[];
}
