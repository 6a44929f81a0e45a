import { Module } from '@nestjs/common';
import { ModuleResourceDirectory } from './module-resource-directory.service';
import { ModuleResourcesController } from './module-resources.controller';

@Module({ controllers: [ModuleResourcesController], providers: [ModuleResourceDirectory] })
export class ModuleResourcesModule {}
