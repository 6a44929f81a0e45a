import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoreMirror } from '../database/store-mirror';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { assertPatchChangesSomething, RegisterResult, ServiceRows } from './service-rows';

/**
 * The API's writes to the registry: external registrations and operator patches. Each is one
 * unit of work on the registry's database, then one invalidation for every replica, then (with
 * dual writes) the same write on the private store.
 */
@Injectable()
export class ServiceWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: ServiceRows,
    private readonly bus: InvalidationBus,
    private readonly mirror: StoreMirror,
  ) {}

  /**
   * Registers an external service, or updates it if it is already registered as external.
   * A slug that a module owns is a conflict.
   */
  async register(input: RegisterServiceDto): Promise<RegisterResult> {
    const result = await this.rows.register(this.dataSource, input);
    await this.bus.publish({ reason: 'service-register', services: [input.slug] });
    await this.mirror.repeat(`registration of '${input.slug}'`, (store) => this.rows.register(store, input));
    return result;
  }

  /** Applies an operator's patch; an unknown slug is a 404, an empty patch a 400. */
  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
    assertPatchChangesSomething(patch);
    await this.rows.patch(this.dataSource, slug, patch);
    await this.bus.publish({ reason: 'service-patch', services: [slug] });
    await this.mirror.repeat(`patch of '${slug}'`, (store) => this.rows.patch(store, slug, patch));
  }
}
