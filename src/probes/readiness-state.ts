import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { httpConfig } from '../config/configuration';

/**
 * Whether this replica should receive traffic. Shutdown flips it first (module-destroy runs
 * before the HTTP server closes), then waits `SHUTDOWN_DRAIN_MS` so load balancers notice
 * while in-flight and late requests are still served.
 */
@Injectable()
export class ReadinessState implements OnModuleDestroy {
  private readonly logger = new Logger(ReadinessState.name);
  private draining = false;

  constructor(@Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>) {}

  get isDraining(): boolean {
    return this.draining;
  }

  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    if (this.config.shutdownDrainMs > 0) {
      this.logger.log(`Shutting down: not ready, draining for ${this.config.shutdownDrainMs} ms`);
      // The global timer (not node:timers/promises), so a fake clock can drive the drain.
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdownDrainMs));
    }
  }
}
