import { Injectable } from '@nestjs/common';
import { RegistryIndex } from '../registry-cache/registry-index';
import { LocalRegistry } from './local-registry';

/**
 * The change index with local state: the store's own counter. Every change to the store has
 * already taken the next value, so publishing a write reports the current one.
 */
@Injectable()
export class LocalRegistryIndex extends RegistryIndex {
  constructor(private readonly registry: LocalRegistry) {
    super();
  }

  async advance(): Promise<number> {
    return this.registry.index;
  }

  async current(): Promise<number> {
    return this.registry.index;
  }
}
