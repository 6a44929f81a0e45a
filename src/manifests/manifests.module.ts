import { Module } from '@nestjs/common';
import { InvalidationModule } from '../registry-cache/invalidation.module';
import { ServiceRows } from '../services/service-rows';
import { BackfillService } from './backfill.service';
import { BootstrapRunner } from './bootstrap-runner';
import { ManifestImporterService } from './manifest-importer.service';
import { ModuleContextsService } from './module-contexts.service';
import { ModuleLoader } from './module-loader';
import { ModuleServiceWriter } from './module-service-writer';
import { NetworkImporter } from './network-importer';
import { PlaceholderResolver } from './placeholder-resolver';

/**
 * Manifest loading, validation, placeholder resolution and the versioned import (the backfill),
 * for the CLI and the app. Uses the global DatabaseModule (DataSource, SchemaMigrator).
 */
@Module({
  imports: [InvalidationModule],
  providers: [
    ModuleLoader,
    PlaceholderResolver,
    BootstrapRunner,
    NetworkImporter,
    ServiceRows,
    ModuleServiceWriter,
    ModuleContextsService,
    ManifestImporterService,
    BackfillService,
  ],
  exports: [ModuleLoader, PlaceholderResolver, ManifestImporterService, ModuleContextsService, BackfillService],
})
export class ManifestsModule {}
