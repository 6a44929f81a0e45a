import { Injectable } from '@nestjs/common';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { PatchServiceDto } from '../services/dto/patch-service.dto';
import { RegisterServiceDto } from '../services/dto/register-service.dto';
import { RegisterResult, ServiceWriter } from '../services/service-writer';
import { LocalRegistry } from './local-registry';

/** The API's writes with local state: the in-process store, then an invalidation of this process's cache. */
@Injectable()
export class LocalServiceWriter extends ServiceWriter {
  constructor(
    private readonly registry: LocalRegistry,
    private readonly bus: InvalidationBus,
  ) {
    super();
  }

  async register(input: RegisterServiceDto): Promise<RegisterResult> {
    const result = this.registry.register(input);
    await this.bus.publish({ reason: 'service-register', services: [input.slug] });
    return result;
  }

  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
    this.registry.patch(slug, patch);
    await this.bus.publish({ reason: 'service-patch', services: [slug] });
  }
}
