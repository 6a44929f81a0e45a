import { Logger } from '@nestjs/common';
import { PatchServiceDto } from '../services/dto/patch-service.dto';
import { RegisterServiceDto } from '../services/dto/register-service.dto';
import { RegisterResult, ServiceWriter } from '../services/service-writer';

/** The store that follows the one the registry reads (the other half of a dual write). */
export interface FollowerStore {
  /** How logs name it: "local store", "shared tables". */
  readonly name: string;
  register(input: RegisterServiceDto): unknown;
  patch(slug: string, patch: PatchServiceDto): unknown;
}

/**
 * `APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1`: every API write goes to the store the registry
 * reads (its answer is the client's) and, once that committed, to the other store, so
 * flipping `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE` shows the same registry. The follower
 * failing is logged, not surfaced: the write the client asked for did happen.
 */
export class DualServiceWriter extends ServiceWriter {
  private readonly logger = new Logger('DualWrite');

  constructor(
    private readonly leader: ServiceWriter,
    private readonly follower: FollowerStore,
  ) {
    super();
  }

  async register(input: RegisterServiceDto): Promise<RegisterResult> {
    const result = await this.leader.register(input);
    await this.follow(`registration of '${input.slug}'`, () => this.follower.register(input));
    return result;
  }

  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
    await this.leader.patch(slug, patch);
    await this.follow(`patch of '${slug}'`, () => this.follower.patch(slug, patch));
  }

  private async follow(what: string, write: () => unknown): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.warn(`The ${this.follower.name} did not take the ${what}: ${(error as Error).message}`);
    }
  }
}
