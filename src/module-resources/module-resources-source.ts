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

/**
 * Where module resource contexts come from: the shared `module_resource_contexts` table
 * (`ModuleResourcesQuery`) or the in-process store (`LocalRegistry`).
 */
export abstract class ModuleResourcesSource {
  abstract loadModuleResources(moduleId: string): Promise<ModuleResourcesRead>;
}
