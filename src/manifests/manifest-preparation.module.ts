import { Module } from '@nestjs/common';
import { BootstrapRunner } from './bootstrap-runner';
import { ModuleLoader } from './module-loader';
import { ModulePreparer } from './module-preparer';
import { PlaceholderResolver } from './placeholder-resolver';
import { TemplateRenderer } from './template-renderer';

/**
 * Reading, validating and resolving modules, and running their bootstrap actions: no
 * database, no Redis. `validate` needs nothing else; ManifestsModule builds the import on it.
 */
@Module({
  providers: [TemplateRenderer, ModuleLoader, PlaceholderResolver, BootstrapRunner, ModulePreparer],
  exports: [TemplateRenderer, ModuleLoader, PlaceholderResolver, BootstrapRunner, ModulePreparer],
})
export class ManifestPreparationModule {}
