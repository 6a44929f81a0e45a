import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { ServiceRows } from './service-rows';
import { RegisterResult, ServiceWriter } from './service-writer';

/** The API's writes with shared state: the `services` table, then one invalidation for every replica. */
@Injectable()
export class SharedServiceWriter extends ServiceWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: ServiceRows,
    private readonly bus: InvalidationBus,
  ) {
    super();
  }

  async register(input: RegisterServiceDto): Promise<RegisterResult> {
    const result = await this.rows.register(this.dataSource, input);
    await this.bus.publish({ reason: 'service-register', services: [input.slug] });
    return result;
  }

  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
    await this.rows.patch(this.dataSource, slug, patch);
    await this.bus.publish({ reason: 'service-patch', services: [slug] });
  }
}
