import { Module } from '@nestjs/common';
import { NetworkImporter } from '../networks/network-importer';
import { ModuleServiceWriter } from '../services/module-service-writer';
import { BackfillService } from './backfill.service';
import { BootstrapRunner } from './bootstrap-runner';
import { ManifestImporterService } from './manifest-importer.service';
import { ModuleContextsService } from './module-contexts.service';
import { ModuleLoader } from './module-loader';
import { PlaceholderResolver } from './placeholder-resolver';

/**
 * Manifest loading, validation, placeholder resolution and the versioned import. Needs the
 * global DatabaseModule (DataSource, SchemaMigrator) and RegistryCacheModule (InvalidationBus).
 */
@Module({
  providers: [
    ModuleLoader,
    PlaceholderResolver,
    BootstrapRunner,
    NetworkImporter,
    ModuleServiceWriter,
    ModuleContextsService,
    ManifestImporterService,
    BackfillService,
  ],
  exports: [ModuleLoader, PlaceholderResolver, ManifestImporterService, ModuleContextsService, BackfillService],
})
export class ManifestsModule {}
