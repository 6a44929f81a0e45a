import { RegistryIndex } from '../../src/registry-cache/registry-index';

/**
 * The registry index as an in-memory counter, for unit specs of what reads or advances it (the
 * real one is a Postgres sequence). `value` can be moved by the test as another process would.
 */
export class CountingIndex extends RegistryIndex {
  value = 0;
  /** How often `current()` was read. */
  reads = 0;

  constructor() {
    super(undefined as never);
  }

  override async advance(): Promise<number> {
    return ++this.value;
  }

  override async current(): Promise<number> {
    this.reads += 1;
    return this.value;
  }
}
