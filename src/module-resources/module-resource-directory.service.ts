import { Injectable, NotFoundException } from '@nestjs/common';
import { JsonView } from '../registry-cache/json-view';
import { RegistryCache } from '../registry-cache/registry-cache';
import { ModuleResourcesQuery } from './module-resources.query';

/** The resources (services, networks) a module owns; cached per replica. */
@Injectable()
export class ModuleResourceDirectory {
  constructor(
    private readonly cache: RegistryCache,
    private readonly source: ModuleResourcesQuery,
  ) {}

  resources(moduleId: string): Promise<JsonView> {
    return this.cache.get(`modules:resources:${moduleId}`, { kind: 'module', id: moduleId }, async () => {
      const { index, resources } = await this.source.loadModuleResources(moduleId);
      if (resources.length === 0) throw new NotFoundException(`module '${moduleId}' has no registered resources`);
      return JsonView.of(
        {
          data: resources,
          meta: {
            moduleId,
            total: resources.length,
            services: resources.filter((resource) => resource.resourceType === 'service').length,
            networks: resources.filter((resource) => resource.resourceType === 'network').length,
          },
        },
        index,
      );
    });
  }
}
