import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoreMirror } from '../database/store-mirror';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { assertPatchChangesSomething, RegisterResult, ServiceRows } from './service-rows';
import { RegistryService } from './service-view';
import { ServicesDatasetQuery } from './services-dataset.query';

/**
 * The API's writes to the registry: external registrations and operator patches. Each is one
 * unit of work on the registry's database, then the service read back with the next registry
 * index (one statement) and published with the invalidation, so that every replica patches its
 * cached dataset instead of reading it all again, then (with dual writes) the same write on the
 * private store. The read back is also the write's response.
 */
@Injectable()
export class ServiceWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: ServiceRows,
    private readonly bus: InvalidationBus,
    private readonly mirror: StoreMirror,
    private readonly dataset: ServicesDatasetQuery,
  ) {}

  /**
   * Registers an external service, or updates it if it is already registered as external.
   * A slug that a module owns is a conflict.
   */
  async register(input: RegisterServiceDto): Promise<RegisterResult & { service: RegistryService }> {
    const result = await this.rows.register(this.dataSource, input);
    const service = await this.publish('service-register', input.slug);
    await this.mirror.repeat(`registration of '${input.slug}'`, (store) => this.rows.register(store, input));
    return { ...result, service };
  }

  /** Applies an operator's patch; an unknown slug is a 404, an empty patch a 400. */
  async patch(slug: string, patch: PatchServiceDto): Promise<RegistryService> {
    assertPatchChangesSomething(patch);
    await this.rows.patch(this.dataSource, slug, patch);
    const service = await this.publish('service-patch', slug);
    await this.mirror.repeat(`patch of '${slug}'`, (store) => this.rows.patch(store, slug, patch));
    return service;
  }

  /** Reads the written service back, with the registry index it advances to, and publishes it as an upsert. */
  private async publish(reason: string, slug: string): Promise<RegistryService> {
    const { index, upserts } = await this.dataset.loadPublished([slug]);
    const [service] = upserts;
    if (!service) throw new Error(`service '${slug}' vanished right after it was written`);
    await this.bus.publish({ reason, services: [slug], upserts }, index);
    return service;
  }
}
